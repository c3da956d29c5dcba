import type { Command } from '../src/bot/define-command';
import bind from './bind';
import dashboard from './dashboard';
import help from './help';
import push from './push';
import register from './register';

/**
 * Every command, in the order /帮助 lists them. A new command is one file in this folder
 * (see help.ts, bind.ts, register.ts for the patterns) and one line here.
 */
export const allCommands: readonly Command[] = [help, bind, register, push, dashboard];

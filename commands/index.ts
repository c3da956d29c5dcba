import type { Command } from '../src/bot/define-command';
import bind from './bind';
import cadre from './cadre';
import dashboard from './dashboard';
import closeRequest from './close-request';
import feedback from './feedback';
import exportTable from './export';
import help from './help';
import milestone from './milestone';
import org from './org';
import overdue from './overdue';
import photo from './photo';
import progress from './progress';
import project from './project';
import publicAccounts from './public-accounts';
import publicBoard from './public-board';
import push from './push';
import rank from './rank';
import rate from './rate';
import register from './register';
import request from './request';
import score from './score';
import status from './status';
import takeRequest from './take-request';
import undo from './undo';
import records from './records';
import voidRecord from './void-record';
import visit from './visit';

/**
 * Every command, in the order /帮助 lists them. A new command is one file in this folder
 * (see help.ts, bind.ts, register.ts for the patterns) and one line here.
 */
export const allCommands: readonly Command[] = [help, bind, register, cadre, progress, project, visit, photo, request, takeRequest, feedback, closeRequest, rate, org, publicAccounts, milestone, score, undo, records, voidRecord, status, overdue, rank, exportTable, dashboard, publicBoard, push];

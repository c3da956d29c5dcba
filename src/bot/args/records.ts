import { findCadre, findCourtyard, findProject, findRequest, findStreet } from '../../services/lookup';
import { argModels } from './context';
import { userArg } from './make-arg';

/** A courtyard by name or alias (see findCourtyard); ambiguous → the candidates are listed. */
export const courtyardArg = (label = '楼院') => userArg(label, (text, ctx) => findCourtyard(argModels(ctx), text, ctx.scope));

/** A street office: `济源路`, `济源路街道`. */
export const streetArg = (label = '街道') => userArg(label, (text, ctx) => findStreet(argModels(ctx), text));

/** A project: `#12` or a title (within the group's scope first). */
export const projectArg = (label = '项目') => userArg(label, (text, ctx) => findProject(argModels(ctx), text, ctx.scope));

/** A resident request: `#7`. */
export const requestArg = (label = '诉求') => userArg(label, (text, ctx) => findRequest(argModels(ctx), text));

/** A person on the roster: `张三`, `@张三`, `张三(区医保局)`. */
export const personArg = (label = '人员') => userArg(label, (text, ctx) => findCadre(argModels(ctx), text, ctx.scope));

/**
 * A command failure as mongod reports it: `{ ok: 0, errmsg, code, codeName }` plus any
 * extra fields (e.g. keyPattern/keyValue on E11000).
 */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CommandError';
  }

  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

/** The error codes the stand-in uses, with mongod's names (src/mongo/base/error_codes.yml). */
export const Codes = {
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CannotCreateIndex: 67,
  CannotIndexParallelArrays: 171,
  NoSuchTransaction: 251,
  InvalidIdField: 53,
  Unauthorized: 13,
  CappedPositionLost: 136,
  OperationNotSupportedInTransaction: 263,
  Location40324: 40324,
  CommandNotSupported: 115,
  InternalError: 1,
  DuplicateKey: 11000,
} as const;

export type CodeName = keyof typeof Codes;

/** Shorthand: `fail('BadValue', 'msg')`. */
export function fail(codeName: CodeName, message: string, extra?: Record<string, unknown>): CommandError {
  return new CommandError(Codes[codeName], codeName, message, extra);
}

/** The stand-in will not open a data directory; the message (for the operator) says why and what to do. */
export class StartRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartRefused';
  }
}

/**
 * Errors with stable codes. Only UserError (and its subclasses) may reach a chat: everything
 * else is logged and answered with a generic "系统繁忙" reply (SYSTEM_BUSY_TEXT).
 */

/**
 * The answer to anything that is not the user's fault; the error itself goes to the log. One
 * home for the command dispatcher and the callback ingress, which both say it.
 */
export const SYSTEM_BUSY_TEXT = '系统繁忙，请稍后重试';

export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A callback whose signature does not match: HTTP 401. */
export class SignatureError extends CodedError {
  constructor(message = 'signature mismatch — check WECOM_TOKEN and WECOM_ENCODING_AES_KEY against the WeCom admin console') {
    super('E_SIGNATURE', message);
  }
}

/** A callback body that cannot be read: HTTP 400. */
export class BadCallbackError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_BAD_CALLBACK', message, options);
  }
}

/** WeCom answered, with a non-zero errcode. */
export class WeComApiError extends CodedError {
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super('E_WECOM_REFUSED', `WeCom refused ${api}: ${errcode} ${errmsg}`);
  }
}

/** WeCom could not be reached, or answered with something other than its JSON. */
export class WeComNetworkError extends CodedError {
  constructor(
    readonly api: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('E_WECOM_NETWORK', `network failure calling ${api}: ${message}`, options);
  }
}

/**
 * A request the client would not send, or an answer it would not follow: a URL off WeCom's
 * API origin (WECOM_API_BASE), or a redirect. Never retried: trying again changes nothing.
 */
export class OutboundRefusedError extends CodedError {
  constructor(
    readonly api: string,
    readonly why: 'origin' | 'redirect',
    message: string,
  ) {
    super('E_OUTBOUND_REFUSED', `refused to call ${api}: ${message}`);
  }
}

/** Something the user typed or asked that cannot be done; its message is shown in chat (Chinese). */
export class UserError extends CodedError {
  constructor(message: string, readonly usage?: string[]) {
    super('E_USER', message);
  }
}

/** The caller may not run this; the message names who may. */
export class PermissionError extends UserError {
  override readonly code = 'E_PERMISSION';
}

/** A picture that cannot be had, with a stable code; `retry` says whether trying again may help. */
export class MediaError extends CodedError {
  constructor(
    code: 'E_MEDIA_KEY' | 'E_MEDIA_DECRYPT' | 'E_MEDIA_TOO_LARGE' | 'E_MEDIA_GONE',
    message: string,
  ) {
    super(code, message);
  }
}

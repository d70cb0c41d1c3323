import { ERROR_STATUS, type ErrorCode } from './error-codes.js';

export interface FieldError {
  field: string;
  message: string;
}

/** An error the gateway answers itself; the error filter and the data plane turn it into problem+json. */
export class GatewayError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extras: {
      errors?: FieldError[];
      retryAfterSeconds?: number;
      headers?: Record<string, string>;
      /** Extra members of the problem document (an OAuth `error`, say). */
      extensions?: Record<string, unknown>;
    } = {},
  ) {
    super(detail);
    this.name = 'GatewayError';
    this.status = ERROR_STATUS[code];
  }
}

export const invalidRequest = (detail: string, errors?: FieldError[]) => new GatewayError('INVALID_REQUEST', detail, { errors });
export const notFound = (detail: string) => new GatewayError('NOT_FOUND', detail);
export const conflict = (detail: string) => new GatewayError('CONFLICT', detail);

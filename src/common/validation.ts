import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldError, invalidRequest } from './gateway-error.js';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Validates every admin body and query: unknown fields and wrong types are refused, each one named. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const names = [...new Set(fields.map((f) => f.field))];
      return invalidRequest(`invalid field${names.length === 1 ? '' : 's'}: ${names.join(', ')}`, fields);
    },
  });
}

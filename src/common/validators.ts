import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9._:=-]{0,63}$/;
// RFC 9110 §5.6.2 token.
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
// Printable ASCII without spaces, from the root; no dot segments.
const CHECK_PATH = /^\/[\x21-\x7e]{0,511}$/;
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:[/?#]|$)/;

export const isUuid = (value: string) => UUID.test(value);

/** Why a string is not an upstream URL, or undefined when it is one. */
export function upstreamUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a URL string';
  if (value.length > 2048) return 'must be at most 2048 characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL such as http://orders:8080/v1';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.search || url.hash || value.includes('?') || value.includes('#')) return 'must not have a query or fragment';
  return undefined;
}

function simple(name: string, test: (value: unknown, args: ValidationArguments) => string | undefined, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value, args) => test(value, args!) === undefined,
        defaultMessage: (args) => `${args!.property} ${test(args!.value, args!)}`,
      },
    });
}

/** Checks every element of an array and names each bad one by its index. */
export const EachSatisfies = (name: string, test: (value: unknown) => string | undefined, options?: ValidationOptions) =>
  simple(name, (value, args) => {
    if (!Array.isArray(value)) return undefined; // IsArray reports that
    const bad = value.flatMap((item, index) => {
      const problem = test(item);
      return problem ? [`${args.property}[${index}] ${JSON.stringify(item)} ${problem}`] : [];
    });
    return bad.length ? `has invalid entries: ${bad.join('; ')}` : undefined;
  }, options);

/** An entity name: letters, digits, ".", "_", "-"; not shaped like a UUID, which addresses by id. */
export const IsEntityName = (options?: ValidationOptions) =>
  simple('isEntityName', (value) => {
    if (typeof value !== 'string' || !NAME.test(value)) return 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit';
    return isUuid(value) ? 'must not be shaped like a UUID (UUIDs address entities by id)' : undefined;
  }, options);

export const IsUpstreamUrl = (options?: ValidationOptions) => simple('isUpstreamUrl', upstreamUrlProblem, options);

export const IsTag = (options?: ValidationOptions) =>
  EachSatisfies('isTag', (value) => (typeof value === 'string' && TAG.test(value) ? undefined : 'is not 1-64 letters, digits, ".", "_", ":", "=" or "-"'), options);

/** Refuses a body that sets this property together with `other`. */
export const NotTogetherWith = (other: string, options?: ValidationOptions) =>
  simple('notTogetherWith', (value, args) =>
    value !== undefined && (args.object as Record<string, unknown>)[other] !== undefined ? `and ${other} are mutually exclusive; give one` : undefined,
  options);

/** Custom check with a message of its own, for rules that belong to one module. */
export const Satisfies = (name: string, test: (value: unknown) => string | undefined, options?: ValidationOptions) => simple(name, test, options);

/** Like Satisfies, for rules that compare the value with its siblings. */
export const SatisfiesWith = (name: string, test: (value: unknown, object: Record<string, unknown>) => string | undefined, options?: ValidationOptions) =>
  simple(name, (value, args) => test(value, args.object as Record<string, unknown>), options);

/** Why a string is not the path of a health check, or undefined when it is one. */
export function checkPathProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !CHECK_PATH.test(value)) return 'must be a path such as /health (printable, no spaces, at most 512 characters)';
  if (DOT_SEGMENT.test(value)) return 'must not hold dot segments';
  return undefined;
}

export const IsCheckPath = (options?: ValidationOptions) => simple('isCheckPath', checkPathProblem, options);

export const IsHeaderName = (options?: ValidationOptions) =>
  simple('isHeaderName', (value) => (typeof value === 'string' && HEADER_NAME.test(value) ? undefined : 'must be an HTTP header name such as X-User-Id'), options);


// RFC 6749 §3.3 scope-token: printable ASCII except space, '"' and '\'.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
export const isScopeToken = (value: unknown): value is string => typeof value === 'string' && SCOPE.test(value);

/** A list of OAuth scope tokens (`orders:read`, `admin`). */
export const IsScopeList = (options?: ValidationOptions) =>
  EachSatisfies('isScope', (value) => (isScopeToken(value) ? undefined : 'is not a scope (1-128 printable characters without spaces, quotes or backslashes)'), options);

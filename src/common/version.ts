import { readFileSync } from 'node:fs';

/** The gateway's version, from package.json (dist/src/common → the project root). */
export const GATEWAY_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

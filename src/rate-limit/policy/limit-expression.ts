import type { LimitSettings } from './limit-settings.js';
import { DEFAULT_ALGORITHM, LIMIT_BOUNDS } from './limit-settings.js';

const EXPRESSION = /^\s*(\d{1,7})\s*\/\s*(\d{0,6}(?:\.\d{1,3})?)\s*(ms|s|m|h)\s*$/;
const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;

/**
 * `N/window` as the environment defaults are written: `100/1s`, `100/s`, `6000/1m`, `50/500ms`.
 * Returns the settings, or the reason the text is not one.
 */
export function parseLimitExpression(text: string): LimitSettings | string {
  const found = EXPRESSION.exec(text);
  if (!found) return 'must be N/window such as 100/1s, 100/s, 6000/1m or 50/500ms';
  const limit = Number(found[1]);
  const windowS = (found[2] === '' ? 1 : Number(found[2])) * UNIT_SECONDS[found[3] as keyof typeof UNIT_SECONDS];
  if (limit < 1 || limit > LIMIT_BOUNDS.maxSlidingLimit) return `must allow between 1 and ${LIMIT_BOUNDS.maxSlidingLimit} requests per window`;
  if (!(windowS >= LIMIT_BOUNDS.minWindowS && windowS <= LIMIT_BOUNDS.maxWindowS)) return `must have a window between ${LIMIT_BOUNDS.minWindowS * 1000}ms and ${LIMIT_BOUNDS.maxWindowS / 3600}h`;
  return { limit, window_s: Math.round(windowS * 1000) / 1000, burst: null, algorithm: DEFAULT_ALGORITHM };
}

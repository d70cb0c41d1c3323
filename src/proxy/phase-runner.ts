import type { RequestTracer } from '../tracing/request-tracer.js';
import type { RequestContext, RequestPhase } from './request-context.js';

/**
 * Runs the phases in order; a phase ends the chain by throwing, or by answering the request itself
 * (`context.answered`, as a cache HIT does). With tracing on, each phase runs in a span named after
 * it (so `auth` and `rate_limit` spans appear as those phases are added).
 *
 * Returns undefined, synchronously, when no phase applies to the request (a route without auth,
 * limits or cache): such a request makes no promise here, each of which costs the process-wide
 * AsyncLocalStorage's hooks on top of itself.
 */
export function runPhases(phases: readonly RequestPhase[], context: RequestContext, tracer: RequestTracer | undefined): Promise<void> | undefined {
  for (let index = 0; index < phases.length; index++) {
    const phase = phases[index];
    if (!phase.appliesTo || phase.appliesTo(context)) return runFrom(index, phases, context, tracer);
  }
  return undefined;
}

/** The phases from `first`, which applies, on. */
async function runFrom(first: number, phases: readonly RequestPhase[], context: RequestContext, tracer: RequestTracer | undefined): Promise<void> {
  for (let index = first; index < phases.length; index++) {
    const phase = phases[index];
    if (index !== first && phase.appliesTo && !phase.appliesTo(context)) continue;
    try {
      if (tracer && context.span) {
        await tracer.runPhase(context, phase.name, () => phase.run(context));
      } else {
        const pending = phase.run(context);
        if (pending) await pending;
      }
    } catch (error) {
      await tellLaterPhases(phases, index, context, error);
      throw error;
    }
    if (context.answered) return;
  }
}

/** A refusal reaches the phases after the one that refused (each may replace it by throwing its own). */
async function tellLaterPhases(phases: readonly RequestPhase[], refusedAt: number, context: RequestContext, error: unknown): Promise<void> {
  for (let index = refusedAt + 1; index < phases.length; index++) {
    const later = phases[index];
    if (later.onEarlierRefusal && (!later.appliesTo || later.appliesTo(context))) await later.onEarlierRefusal(context, error);
  }
}

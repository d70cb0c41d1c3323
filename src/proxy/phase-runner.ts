import type { RequestTracer } from '../tracing/request-tracer.js';
import type { RequestContext, RequestPhase } from './request-context.js';

/**
 * Runs the phases in order; a phase ends the chain by throwing. With tracing on, each phase runs in
 * a span named after it (so `auth` and `rate_limit` spans appear as those phases are added).
 */
export async function runPhases(phases: readonly RequestPhase[], context: RequestContext, tracer: RequestTracer | undefined): Promise<void> {
  for (const phase of phases) {
    if (tracer && context.span) {
      await tracer.runPhase(context, phase.name, () => phase.run(context));
      continue;
    }
    const pending = phase.run(context);
    if (pending) await pending;
  }
}

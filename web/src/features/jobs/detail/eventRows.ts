// The events list's shape: warnings and errors pinned apart, routine events (checkpoint saved)
// folded into one row per run of them, so a long run cannot push what matters out of view.
import type { JobEvent } from '../metrics';

export type EventRow = { kind: 'event'; event: JobEvent } | { kind: 'folded'; events: JobEvent[] };

/** Routine: an info event that only records housekeeping (a checkpoint written). */
export const isRoutine = (event: JobEvent) => event.level === 'info' && typeof event.data.checkpoint === 'string';

export const isProblem = (event: JobEvent) => event.level === 'warn' || event.level === 'error';

/** Newest first; two or more routine events in a row become one folded row. */
export function eventRows(events: JobEvent[]): EventRow[] {
  const rows: EventRow[] = [];
  let run: JobEvent[] = [];
  const flush = () => {
    if (run.length === 1 && run[0]) rows.push({ kind: 'event', event: run[0] });
    else if (run.length > 1) rows.push({ kind: 'folded', events: run });
    run = [];
  };
  for (const event of [...events].reverse()) {
    if (isRoutine(event)) {
      run.push(event);
      continue;
    }
    flush();
    rows.push({ kind: 'event', event });
  }
  flush();
  return rows;
}

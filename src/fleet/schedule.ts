// When runs are due. Every member looks at every job's schedules on each tick and enqueues
// what fell due since its last tick under an id made of the job and the due time: the queue
// takes the first and ignores the rest, so a run is enqueued once for the whole fleet, however
// many members are up (and by any one of them while one is).
import { type DefinedJob, nextRun } from '../jobs/index.js';
import { planId } from './queue.js';

/** The most due times one tick enqueues per schedule (a clock that jumped far). */
const MOST_PER_TICK = 16;

/** Runs of `job` due in `(from, to]`, by any of its schedules, each time once. */
export function dueRuns(job: DefinedJob, from: number, to: number): (Date & { id: string })[] {
  const due = new Map<number, Date & { id: string }>();
  for (const schedule of job.schedules) {
    let at = nextRun(schedule, new Date(from));
    for (let n = 0; n < MOST_PER_TICK && at.getTime() <= to; n++) {
      due.set(at.getTime(), Object.assign(new Date(at), { id: planId(job.name, at) }));
      at = nextRun(schedule, at);
    }
  }
  return [...due.values()].sort((a, b) => +a - +b);
}

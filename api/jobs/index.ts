/**
 * Runs the jobs of api/jobs/schedules.ts. Both runtimes tick once a minute: Node with the `cron`
 * package (startJobs), Workers with one cron trigger (runScheduledMinute). Each tick runs the jobs
 * due in that minute, each claimed in the database first (job_runs), so a job runs at most once per
 * minute however many processes and Workers tick.
 */
import { CronJob, CronTime } from 'cron';
import { ctxOf, type Deps } from '../context';
import { claimJobRun, finishJobRun } from '../services/job-runs';
import { cronOf, type ScheduledJob, scheduledJobs } from './schedules';

const minuteMs = 60_000;

/** Whether `cron` (in `timeZone`) fires at the minute starting at `slot`. */
function isDue(cron: string, timeZone: string, slot: Date): boolean {
  const next = new CronTime(cron, timeZone).getNextDateFrom(new Date(slot.getTime() - 1), timeZone);
  return next.toMillis() === slot.getTime();
}

export interface DispatchResult {
  /** Jobs this call ran (it won their claim). */
  ran: string[];
  /** Due jobs another process or Worker had claimed already. */
  claimedElsewhere: string[];
  failed: string[];
}

/** Runs every job due in the minute containing `at`, once each across all processes. */
export async function dispatchDueJobs(
  deps: Deps,
  at: Date,
  jobs: readonly ScheduledJob[] = scheduledJobs,
): Promise<DispatchResult> {
  const slot = new Date(Math.floor(at.getTime() / minuteMs) * minuteMs);
  const ctx = ctxOf(deps);
  const result: DispatchResult = { ran: [], claimedElsewhere: [], failed: [] };
  for (const job of jobs) {
    try {
      const { cron, timeZone } = await cronOf(deps, job, slot);
      if (!isDue(cron, timeZone, slot)) continue;
      if (!(await claimJobRun(ctx, job.name, slot))) {
        result.claimedElsewhere.push(job.name);
        continue;
      }
      try {
        await job.run(deps);
        await finishJobRun(ctx, job.name, slot, null);
        result.ran.push(job.name);
      } catch (error) {
        await finishJobRun(ctx, job.name, slot, String((error as Error)?.message ?? error));
        throw error;
      }
    } catch (error) {
      // One job's failure (or a malformed schedule) does not keep the others from running.
      result.failed.push(job.name);
      deps.log.error('scheduled job failed', {
        job: job.name,
        slot: slot.toISOString(),
        error: String((error as Error)?.stack ?? error),
      });
    }
  }
  return result;
}

/** Node: a tick every minute; stop() ends it. */
export function startJobs(deps: Deps): { stop(): Promise<void> } {
  const tick = CronJob.from({
    cronTime: '* * * * *',
    timeZone: 'UTC',
    start: true,
    // A long job must not make the next minute's jobs wait; the claims keep runs apart.
    waitForCompletion: false,
    onTick: async () => {
      await dispatchDueJobs(deps, deps.now());
    },
  });
  return {
    stop: async () => {
      await tick.stop();
    },
  };
}

/** Workers: the minute trigger's scheduled time. */
export async function runScheduledMinute(deps: Deps, scheduledTime: number): Promise<void> {
  await dispatchDueJobs(deps, new Date(scheduledTime));
}

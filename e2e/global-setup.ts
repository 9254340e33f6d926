/**
 * The browser tests run the server on the real clock, and several read "today" in Beijing time (a
 * day's report, today's takings, the day's six videos): a run that crossed midnight there would see
 * the day change halfway through a test. So a run does not start in a Beijing day's last minutes
 * (the tier takes about five): it waits until the new day has begun.
 */
const marginMs = 8 * 60_000;

export default async function waitPastBeijingMidnight(): Promise<void> {
  const beijingOffsetMs = 8 * 3_600_000;
  const dayMs = 86_400_000;
  const untilMidnightMs = dayMs - ((Date.now() + beijingOffsetMs) % dayMs);
  if (untilMidnightMs > marginMs) return;
  const waitMs = untilMidnightMs + 5_000;
  console.log(`Browser tests: waiting ${Math.ceil(waitMs / 1000)} s for midnight in Beijing to pass`);
  await new Promise((resolve) => setTimeout(resolve, waitMs));
}

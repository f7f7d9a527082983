// Checks a hand-written schedule (an array of stages) field by field before any training: loop
// specs, switch conditions, and that only the last stage may run until the end.

import { validateCriterionOptions } from '../criterion/scp';
import { checkInt, fail } from '../util/validate';
import type { Schedule } from './stages';

export function validateSchedule(schedule: Schedule): Schedule {
  if (!Array.isArray(schedule) || schedule.length === 0)
    fail('schedule', schedule, 'a non-empty array of stages');
  schedule.forEach((stage, i) => {
    const f = `schedule[${i}]`;
    if (stage === null || typeof stage !== 'object') fail(f, stage, 'a stage { name, loops, until }');
    if (typeof stage.name !== 'string' || stage.name.length === 0)
      fail(`${f}.name`, stage.name, 'a non-empty string');
    const l = stage.loops;
    if (l === null || typeof l !== 'object')
      fail(`${f}.loops`, l, "{ kind: 'fixed' | 'task' | 'custom', ... }");
    if (l.kind === 'fixed') checkInt(`${f}.loops.loops`, l.loops, 1);
    else if (l.kind === 'task') {
      if (l.cap !== undefined) checkInt(`${f}.loops.cap`, l.cap, 1);
    } else if (l.kind === 'custom') {
      if (typeof l.of !== 'function') fail(`${f}.loops.of`, l.of, 'a function (n, T(n)) => loops');
    } else fail(`${f}.loops.kind`, (l as { kind: unknown }).kind, "'fixed', 'task' or 'custom'");
    const u = stage.until;
    const isLast = i === schedule.length - 1;
    if (u === null || typeof u !== 'object')
      fail(`${f}.until`, u, "{ kind: 'criterion' | 'atStep' | 'afterSteps' | 'never' }");
    if (u.kind === 'criterion') validateCriterionOptions(u.criterion, `${f}.until.criterion`);
    else if (u.kind === 'atStep') checkInt(`${f}.until.step`, u.step, 1);
    else if (u.kind === 'afterSteps') checkInt(`${f}.until.steps`, u.steps, 1);
    else if (u.kind !== 'never')
      fail(
        `${f}.until.kind`,
        (u as { kind: unknown }).kind,
        "'criterion', 'atStep', 'afterSteps' or 'never'",
      );
    if (u.kind === 'never' && !isLast)
      fail(`${f}.until.kind`, 'never', 'a switch condition (only the last stage may run until the end)');
  });
  return schedule;
}

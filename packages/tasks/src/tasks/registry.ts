/** Name -> task lookup. */
import { TASK_NAMES, type AlgorithmicTask, type TaskName } from '../types';
import { TaskArgumentError } from '../validation';
import { additionTask } from './addition';
import { binarySumTask } from './binary-sum';
import { copyTask } from './copy';
import { multiplicationTask } from './multiplication';
import { parityTask } from './parity';
import { uniqueSetTask } from './unique-set';

const TASKS: Record<TaskName, AlgorithmicTask> = {
  parity: parityTask,
  copy: copyTask,
  addition: additionTask,
  'binary-sum': binarySumTask,
  'unique-set': uniqueSetTask,
  multiplication: multiplicationTask,
};

export function isTaskName(name: unknown): name is TaskName {
  return typeof name === 'string' && (TASK_NAMES as readonly string[]).includes(name);
}

/** The task called `name`; throws for unknown names, listing the valid ones. */
export function getTask(name: TaskName): AlgorithmicTask {
  if (!isTaskName(name)) {
    throw new TaskArgumentError(
      'name',
      `unknown task ${JSON.stringify(name)}; expected one of ${TASK_NAMES.join(', ')}`,
    );
  }
  return TASKS[name];
}

import type { RotationState } from '../shared/contract.js';
import { InvalidInputError } from '../shared/errors.js';

type Required<K extends keyof RotationState> = RotationState & { [P in K]-?: NonNullable<RotationState[P]> };

/** Narrows the state to the results a step depends on; a missing one is a wiring bug, named clearly. */
export function requireState<K extends keyof RotationState>(
  state: RotationState,
  step: string,
  ...keys: K[]
): Required<K> {
  const missing = keys.filter((key) => state[key] === undefined);
  if (missing.length > 0) {
    throw new InvalidInputError(`${step} needs ${missing.join(', ')} in its input state`);
  }
  return state as Required<K>;
}

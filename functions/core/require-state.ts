import { InvalidInputError } from '../shared/errors.js';

type Required<S, K extends keyof S> = S & { [P in K]-?: NonNullable<S[P]> };

/** Narrows the state to the results a step depends on; a missing one is a wiring bug, named clearly. */
export function requireState<S extends object, K extends keyof S>(
  state: S,
  step: string,
  ...keys: K[]
): Required<S, K> {
  const missing = keys.filter((key) => state[key] === undefined);
  if (missing.length > 0) {
    throw new InvalidInputError(`${step} needs ${missing.map(String).join(', ')} in its input state`);
  }
  return state as Required<S, K>;
}

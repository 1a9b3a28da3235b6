/**
 * The seam between the one rotation state machine and the kinds of credential it rotates
 * (`genesys:kind` tag, contract.ts `CREDENTIAL_KINDS`). The state machine's graph is the same for
 * every kind: Fetch (inventory) → Validate (checks, plan) → Create → Verify → Sync (promote) →
 * AdoptionGate (adoption) → DeactivateLegacy / CheckRetirement / DeleteLegacy (retire) → and, on a
 * failure before promotion, the rollback saga. Each task asks the strategy of the secret's kind.
 *
 * Shaped after what the core functions of `functions/core/*.ts` really do for `oauth-client`:
 * - every step takes the execution state (`$`) and returns the JSON its task writes under a
 *   ResultPath; it never returns a secret value (only the Create and Emergency steps see one, and
 *   write it to AWSPENDING inside the same call);
 * - every step is idempotent by the rotation token: the state machine retries by typed error name;
 * - a step that waits (adoption, retirement) returns `waitSeconds`; one that holds returns a `hold`.
 *
 * A kind's credential may have **dependents**: objects elsewhere holding a copy of the value the
 * kind rotates (a `pureCloudOAuthClient` integration credential holds an OAuth client's id and
 * secret). A `DependentFollower` moves them to the new credential by dual slot (a new object,
 * references flipped to it, the old object deleted only at retirement). Strategies and followers
 * are separate so that a kind gains followers without a change of its own code.
 */
import type {
  Adoption,
  Created,
  CredentialKind,
  Emergency,
  PartnerKeyAdoption,
  PartnerKeyCreated,
  PartnerKeyRetired,
  PartnerKeyRetirementCheck,
  PartnerKeyRolledBack,
  PartnerKeySynced,
  PartnerKeyValidation,
  PartnerKeyVerified,
  Retired,
  RetirementCheck,
  RolledBack,
  RotationState,
  Synced,
  Validation,
  Verified,
} from '../../shared/contract.js';
import { type RotationError, UnsupportedKindError } from '../../shared/errors.js';
import type { FetchedSecret } from '../fetch.js';

/** Each step's result, whatever the kind (each kind returns its own schema's). */
export type AnyValidation = Validation | PartnerKeyValidation;
export type AnyCreated = Created | PartnerKeyCreated;
export type AnyVerified = Verified | PartnerKeyVerified;
export type AnySynced = Synced | PartnerKeySynced;
export type AnyAdoption = Adoption | PartnerKeyAdoption;
export type AnyRetired = Retired | PartnerKeyRetired;
export type AnyRetirementCheck = RetirementCheck | PartnerKeyRetirementCheck;
export type AnyRolledBack = RolledBack | PartnerKeyRolledBack;

/** What Validate learns from a strategy: every check (pass or fail), the refusal, the plan. */
export interface KindEvaluation {
  readonly validation: AnyValidation;
  /** The typed error for the first failed check; null when every check passed. */
  readonly refusal: RotationError | null;
}

/** The retirement half of a rotation: reversible first, irreversible last, and its undo. */
export interface KindRetirement {
  /** DeactivateLegacy: the old credential stops minting or working, reversibly (or, when the kind has no such state, nothing changes). */
  deactivate(state: RotationState): Promise<AnyRetired>;
  /** CheckRetirement: nobody used the old credential since it was deactivated. */
  check(state: RotationState): Promise<AnyRetirementCheck>;
  /** ReactivateLegacy: the retirement check saw traffic; the old credential works again. */
  reactivate(state: RotationState): Promise<AnyRetired>;
  /** DeleteLegacy: the old credential is removed (the rotation's last change). */
  remove(state: RotationState): Promise<AnyRetired>;
}

/**
 * One kind of credential. Methods map one to one onto the state machine's tasks; the handler of a
 * task picks the strategy by `state.inventory.kind` (Fetch by the secret's `genesys:kind` tag).
 */
export interface RotationKindStrategy {
  readonly kind: CredentialKind;
  /**
   * Fetch: ids and facts only. `fetched` is the secret the input names, described, with the input
   * parsed and the token derived (`fetchSecret`, shared by every kind: the kind comes from its tag).
   */
  inventory(fetched: FetchedSecret): Promise<RotationState>;
  /** Validate: pure policy over the inventory. */
  evaluate(state: RotationState, now: Date): KindEvaluation;
  /** Create: the new credential, its value straight into AWSPENDING keyed by the token. */
  create(state: RotationState): Promise<AnyCreated>;
  /** Verify: the pending value, read from Secrets Manager inside the call, really works. */
  verify(state: RotationState): Promise<AnyVerified>;
  /** Sync: AWSCURRENT moves to the token (and whatever must move with it, e.g. a dual-slot flip). */
  promote(state: RotationState): Promise<AnySynced>;
  /** AdoptionGate: evidence that consumers moved to the new credential. */
  adoption(state: RotationState): Promise<AnyAdoption>;
  retirement: KindRetirement;
  /** Saga step (Rotator): AWSPENDING dropped from the token's version, never from a current one. */
  discardPending(state: RotationState): Promise<AnyRolledBack>;
  /** Saga step after DiscardPending: delete what Create made, never what is current. */
  rollback(state: RotationState): Promise<AnyRolledBack>;
  /** Emergency path (replace the leaked credential at once); null when the kind has none. */
  emergency: ((state: RotationState) => Promise<Emergency>) | null;
}

/**
 * Checks a follower adds to Validate: each a typed refusal made before any change (the
 * environment pre-flight of issue #10 part 7).
 */
export interface FollowerCheck {
  /** e.g. `dependents-org`; a follower's checks are its own, not Validate's `CHECK_NAMES`. */
  readonly check: string;
  readonly passed: boolean;
  /** The refusal's `code` when failed. */
  readonly code: string | null;
  readonly detail: string;
}

export interface FollowerPreflight {
  readonly checks: readonly FollowerCheck[];
  readonly refusal: RotationError | null;
}

/**
 * Dependents of the rotated credential that must follow it, dual slot. Every method is idempotent
 * by the rotation token and returns ids and facts only (JSON for the state machine).
 * `TFacts` is what `discover` finds (written at `$.dependents`), `TStaged` what `stage` made, `TFlipped`
 * what `flip` switched (and what `flipBack`/`rollback` undo).
 */
export interface DependentFollower<TFacts, TStaged, TFlipped> {
  /** Which dependents, e.g. `pureCloudOAuthClient-credentials`. */
  readonly name: string;
  /** After Fetch: every dependent holding the legacy credential. */
  discover(state: RotationState): Promise<TFacts>;
  /** Validate: refuse, changing nothing, when a dependent is not where the secret says it is. */
  preflight(state: RotationState, facts: TFacts): FollowerPreflight;
  /** After Verify: one NEW object per dependent holding the pending value (read inside the call). */
  stage(state: RotationState, facts: TFacts): Promise<TStaged>;
  /** Point every reference at the new object and test each dependent once; flips back on failure. */
  flip(state: RotationState, facts: TFacts, staged: TStaged): Promise<TFlipped>;
  /** Health check after the flip and after retirement; throws a typed error on failure. */
  health(state: RotationState, flipped: TFlipped): Promise<DependentHealth>;
  /** Compensation of `flip`: references back to the old objects. */
  flipBack(state: RotationState, facts: TFacts, flipped: TFlipped | null): Promise<void>;
  /** With DeleteLegacy: the old objects, no longer referenced, are deleted. */
  retire(state: RotationState, facts: TFacts): Promise<RetiredDependents>;
  /** Compensation of `stage`: flip back, then delete every object made for the token (no orphan). */
  rollback(state: RotationState, facts: TFacts): Promise<RolledBackDependents>;
}

export interface DependentHealth {
  readonly tested: number;
  readonly failed: readonly { readonly dependentId: string; readonly error: string }[];
}

export interface RetiredDependents {
  readonly deletedIds: readonly string[];
}

export interface RolledBackDependents {
  readonly flippedBackIds: readonly string[];
  readonly deletedIds: readonly string[];
}

/**
 * The part of a strategy one function serves (Fetch: `inventory`; Rotator: `create`, `promote`,
 * `discardPending`, `emergency`; ...). Each kind exports its strategy in such parts too, so a
 * function's bundle carries only the steps it runs.
 */
export type StrategySteps<K extends keyof RotationKindStrategy> = Pick<RotationKindStrategy, 'kind' | K>;

/** Strategies (or the parts a function serves) by kind; a kind missing here is refused with `UnsupportedKindError`. */
export type KindRegistry<S extends { readonly kind: CredentialKind } = RotationKindStrategy> = Partial<
  Record<CredentialKind, S>
>;

/** The strategy of a kind, or `UnsupportedKindError` (the same refusal Fetch gives an unknown tag). */
export function strategyFor<S extends { readonly kind: CredentialKind }>(
  registry: KindRegistry<S>,
  kind: CredentialKind,
): S {
  const strategy = registry[kind];
  if (strategy === undefined) {
    throw new UnsupportedKindError(`No rotation strategy is registered for kind "${kind}"`);
  }
  return strategy;
}

/**
 * The kind of an execution state: its inventory's (every task after Fetch), else `oauth-client` (the
 * refusal path, where Fetch failed and nothing kind-specific exists yet).
 */
export function kindOfState(state: RotationState): CredentialKind {
  return state.inventory?.kind ?? 'oauth-client';
}

/** The strategy of an execution state's kind: how every task after Fetch dispatches. */
export function strategyForState<S extends { readonly kind: CredentialKind }>(
  registry: KindRegistry<S>,
  state: RotationState,
): S {
  return strategyFor(registry, kindOfState(state));
}

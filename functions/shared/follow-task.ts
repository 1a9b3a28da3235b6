/**
 * Input of the FollowDependents function: which step, and the execution state with the
 * dependents' own fields (`$.dependents`, `$.dependentsStaged`), parsed separately from
 * `RotationStateSchema` so that each schema stays the owner of its fields.
 */
import * as z from 'zod';
import { DependentsSchema, StagedDependentsSchema } from './dependents-contract.js';

export const FOLLOW_STEPS = [
  'discover',
  'stage',
  'flip',
  'healthAfterPromotion',
  'retire',
  'healthAfterRetirement',
  'rollback',
  'emergencyFlip',
  'healthAfterEmergency',
] as const;
export type FollowStep = (typeof FOLLOW_STEPS)[number];

export const FollowStateSchema = z.object({
  dependents: DependentsSchema.optional(),
  dependentsStaged: StagedDependentsSchema.optional(),
});

export const FollowTaskInputSchema = z.object({
  step: z.enum(FOLLOW_STEPS),
  state: z.record(z.string(), z.unknown()),
});

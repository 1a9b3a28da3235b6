/**
 * The webhook states the rotation state machine runs after `EmitPromoted` and after `EmitRetired`
 * when webhook targets are configured. Nothing here can change a rotation's outcome: the delivery
 * task never fails for a target (it returns receipts), its own failure is caught and reported as a
 * give-up, and a report that cannot be emitted is recorded in the state and the execution carries on.
 */

import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Chain,
  Choice,
  Condition,
  type IChainable,
  type INextable,
  JsonPath,
  Pass,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { EventBridgePutEvents, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { WebhookEvent } from '../../functions/shared/webhook-contract.js';
import { COMMON_DETAIL, credentialFacts, EMIT_RETRY, EVENT_SOURCE } from './rotation-state-machine.js';

/** Where webhooks are sent: after promotion, after the legacy client's retirement. */
export type WebhookPoint = 'promoted' | 'retired' | 'emergency';

export const WEBHOOK_EVENT_OF: Readonly<Record<WebhookPoint, WebhookEvent>> = {
  promoted: 'credential.promoted',
  retired: 'credential.legacy_retired',
  // An emergency is a promotion: the new version is current at once.
  emergency: 'credential.promoted',
};

/** State names of the webhook segments: a contract with the tests and docs/ARCHITECTURE.md. */
export const WEBHOOK_STATE = {
  DeliverPromotedWebhooks: 'DeliverPromotedWebhooks',
  PromotedWebhooksFailed: 'PromotedWebhooksFailed',
  PromotedWebhooksGaveUp: 'PromotedWebhooksGaveUp',
  EmitPromotedWebhooks: 'EmitPromotedWebhooks',
  EmitPromotedWebhooksGaveUp: 'EmitPromotedWebhooksGaveUp',
  PromotedWebhooksReported: 'PromotedWebhooksReported',
  DeliverRetiredWebhooks: 'DeliverRetiredWebhooks',
  RetiredWebhooksFailed: 'RetiredWebhooksFailed',
  RetiredWebhooksGaveUp: 'RetiredWebhooksGaveUp',
  EmitRetiredWebhooks: 'EmitRetiredWebhooks',
  EmitRetiredWebhooksGaveUp: 'EmitRetiredWebhooksGaveUp',
  RetiredWebhooksReported: 'RetiredWebhooksReported',
  DeliverEmergencyWebhooks: 'DeliverEmergencyWebhooks',
  EmergencyWebhooksFailed: 'EmergencyWebhooksFailed',
  EmergencyWebhooksGaveUp: 'EmergencyWebhooksGaveUp',
  EmitEmergencyWebhooks: 'EmitEmergencyWebhooks',
  EmitEmergencyWebhooksGaveUp: 'EmitEmergencyWebhooksGaveUp',
  EmergencyWebhooksReported: 'EmergencyWebhooksReported',
} as const;

/** Detail types of the webhook events (schemas/rotation-event.v2.json). */
export const WEBHOOK_DETAIL_TYPE = {
  /** Every target acknowledged its message. */
  delivered: 'Webhooks Delivered',
  /** At least one target was given up (dead-lettered, or the delivery task itself failed). */
  gaveUp: 'Webhook Delivery Gave Up',
} as const;

const NAMES: Readonly<
  Record<
    WebhookPoint,
    {
      deliver: string;
      failed: string;
      gaveUp: string;
      emit: string;
      emitGaveUp: string;
      reported: string;
    }
  >
> = {
  promoted: {
    deliver: WEBHOOK_STATE.DeliverPromotedWebhooks,
    failed: WEBHOOK_STATE.PromotedWebhooksFailed,
    gaveUp: WEBHOOK_STATE.PromotedWebhooksGaveUp,
    emit: WEBHOOK_STATE.EmitPromotedWebhooks,
    emitGaveUp: WEBHOOK_STATE.EmitPromotedWebhooksGaveUp,
    reported: WEBHOOK_STATE.PromotedWebhooksReported,
  },
  retired: {
    deliver: WEBHOOK_STATE.DeliverRetiredWebhooks,
    failed: WEBHOOK_STATE.RetiredWebhooksFailed,
    gaveUp: WEBHOOK_STATE.RetiredWebhooksGaveUp,
    emit: WEBHOOK_STATE.EmitRetiredWebhooks,
    emitGaveUp: WEBHOOK_STATE.EmitRetiredWebhooksGaveUp,
    reported: WEBHOOK_STATE.RetiredWebhooksReported,
  },
  emergency: {
    deliver: WEBHOOK_STATE.DeliverEmergencyWebhooks,
    failed: WEBHOOK_STATE.EmergencyWebhooksFailed,
    gaveUp: WEBHOOK_STATE.EmergencyWebhooksGaveUp,
    emit: WEBHOOK_STATE.EmitEmergencyWebhooks,
    emitGaveUp: WEBHOOK_STATE.EmitEmergencyWebhooksGaveUp,
    reported: WEBHOOK_STATE.EmergencyWebhooksReported,
  },
};

export interface WebhookSegmentProps {
  readonly point: WebhookPoint;
  /** The delivery function (`functions/deliver-webhooks/handler.ts`). */
  readonly deliver: IFunction;
  readonly eventBus: IEventBus;
}

/**
 * Deliver -> (task failed: a give-up result) -> report on the bus (delivered, or gave up) -> a Pass
 * that ends the segment. The result is at `$.webhooks.<point>`; a report that could not be emitted
 * at `$.webhooks.<point>ReportError`.
 */
export function webhookSegment(scope: Construct, props: WebhookSegmentProps): Chain {
  const names = NAMES[props.point];
  const resultPath = `$.webhooks.${props.point}`;
  const reported = new Pass(scope, names.reported, { stateName: names.reported });
  const report = (name: string, detailType: string) =>
    new EventBridgePutEvents(scope, name, {
      stateName: name,
      entries: [
        {
          eventBus: props.eventBus,
          source: EVENT_SOURCE,
          detailType,
          detail: TaskInput.fromObject({
            ...COMMON_DETAIL,
            // An emergency has no Create result: its client is in `$.emergency`.
            ...credentialFacts(props.point === 'emergency' ? 'emergency' : 'created'),
            'webhooks.$': resultPath,
          }),
        },
      ],
      resultPath: JsonPath.DISCARD,
    })
      .addRetry(EMIT_RETRY)
      .addCatch(reported, { errors: ['States.ALL'], resultPath: `${resultPath}ReportError` })
      .next(reported);
  const gaveUp = new Choice(scope, names.gaveUp, { stateName: names.gaveUp })
    .when(
      Condition.booleanEquals(`${resultPath}.gaveUp`, true),
      report(names.emitGaveUp, WEBHOOK_DETAIL_TYPE.gaveUp),
    )
    .otherwise(report(names.emit, WEBHOOK_DETAIL_TYPE.delivered));
  // The task itself failed (timeout, bad configuration): no receipt says what reached whom, so the
  // report is a give-up carrying the error.
  const failed = new Pass(scope, names.failed, {
    stateName: names.failed,
    parameters: { event: WEBHOOK_EVENT_OF[props.point], receipts: [], gaveUp: true, 'error.$': resultPath },
    resultPath,
  }).next(gaveUp);
  const deliver = new LambdaInvoke(scope, names.deliver, {
    stateName: names.deliver,
    lambdaFunction: props.deliver,
    payloadResponseOnly: true,
    payload: TaskInput.fromObject({
      event: WEBHOOK_EVENT_OF[props.point],
      'executionId.$': '$$.Execution.Id',
      'state.$': '$',
    }),
    resultPath,
  }).addCatch(failed, { errors: ['States.ALL'], resultPath });
  deliver.next(gaveUp);
  return Chain.custom(deliver, [reported] as INextable[], reported);
}

/** `emitState` followed by the webhook segment of `point`, or `emitState` alone when there are no targets. */
export function followedByWebhooks(
  scope: Construct,
  emitState: IChainable & INextable,
  segment: Omit<WebhookSegmentProps, 'deliver'> & { readonly deliver: IFunction | undefined },
): IChainable {
  if (segment.deliver === undefined) return emitState;
  return Chain.start(emitState).next(webhookSegment(scope, { ...segment, deliver: segment.deliver }));
}

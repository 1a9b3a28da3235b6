import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeFleet } from '../../../functions/core/fleet.js';
import {
  METRICS_NAMESPACE,
  OUTCOME_METRIC,
  outcomeMetricsOf,
  STEP_METRIC,
} from '../../../functions/shared/metric-names.js';
import { PREVIOUS_EVENT_SCHEMA_VERSIONS } from '../../../functions/shared/workflow.js';
import { buildApp } from '../../../infra/app.js';
import { FLEET_DETAIL_TYPE, FLEET_EVENT_SCHEMA_VERSION } from '../../../infra/constructs/fleet-rotation.js';
import {
  EVENT_SCHEMAS_DIR,
  eventSchemaFiles,
  fleetEventSchemaFiles,
} from '../../../infra/constructs/rotation-monitoring.js';
import { DETAIL_TYPE, EVENT_SOURCE } from '../../../infra/constructs/rotation-state-machine.js';
import { WEBHOOK_DETAIL_TYPE } from '../../../infra/constructs/webhook-states.js';
import {
  generatedEventSchemaFiles,
  generatedEventUnionFile,
  UNION_SCHEMA_DIR,
  UNION_SCHEMA_FILE,
} from '../../../infra/events/generate.js';
import type { RotatorStack } from '../../../infra/stacks/rotator-stack.js';
import type { RecordedEvent } from '../../../local/standins/aws/index.js';
import { eventContract } from '../../helpers/event-contract.js';

type Json = Record<string, unknown>;

/** The dashboard body with its tokens (`Fn::Join`) flattened to text. */
function dashboardBody(template: Template): string {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = dashboard?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  return body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
}

describe('RotationMonitoring', () => {
  let stack: RotatorStack;
  let template: Template;
  const busRef = () => stack.getLogicalId(stack.node.findChild('EventBus').node.defaultChild as CfnElement);

  beforeAll(() => {
    ({ stack } = buildApp({ bundling: false, nag: false }));
    template = Template.fromStack(stack);
  });

  it('archives every audit event of the bus for 365 days', () => {
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busRef(), 'Arn'] },
      EventPattern: { source: [EVENT_SOURCE] },
      RetentionDays: 365,
    });
  });

  it('registers one JSON Schema (draft 4) per detail type, each the generated file verbatim', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema'));
    const detailTypes = [...Object.values(DETAIL_TYPE), ...Object.values(WEBHOOK_DETAIL_TYPE)];
    expect(schemas).toHaveLength(detailTypes.length);
    const files = eventSchemaFiles();
    for (const detailType of detailTypes) {
      const file = files.get(detailType);
      expect(file, detailType).toBeDefined();
      const name = `${EVENT_SOURCE}@${detailType.replace(/ /g, '')}`;
      const schema = schemas.find((resource) => resource.Properties.SchemaName === name);
      expect(schema?.Properties.Type, name).toBe('JSONSchemaDraft4');
      expect(schema?.Properties.Content, name).toBe(file?.content);
    }
  });

  it("registers the fleet machine's Fleet Rotation Completed schema (its own version) when the stack has the fleet", () => {
    const { stack: withFleet } = buildApp({ bundling: false, nag: false, fleet: true });
    const schemas = Object.values(
      Template.fromStack(withFleet).findResources('AWS::EventSchemas::Schema'),
    ) as Array<{ Properties: Json }>;
    const [fleetFile] = [...fleetEventSchemaFiles().values()];

    expect([...fleetEventSchemaFiles().keys()]).toEqual([FLEET_DETAIL_TYPE]);
    expect(fleetFile?.file).toBe(`fleet-rotation-completed.v${FLEET_EVENT_SCHEMA_VERSION}.json`);
    expect(eventSchemaFiles().has(FLEET_DETAIL_TYPE)).toBe(false);
    const fleetSchema = schemas.find(
      (resource) => resource.Properties.SchemaName === `${EVENT_SOURCE}@FleetRotationCompleted`,
    );
    expect(fleetSchema?.Properties.Content).toBe(fleetFile?.content);
    expect(schemas).toHaveLength(eventSchemaFiles().size + 1);
    // It compiles (ajv, strict) and holds for a summary as Summarize makes it.
    const summary = summarizeFleet({
      batchId: 'nightly-1',
      total: 3,
      results: [
        [
          {
            secretArn: 'arn:a',
            secretName: 'a',
            orgId: 'org-a',
            executionName: 'nightly-1-a',
            outcome: 'succeeded',
          },
          {
            secretArn: 'arn:b',
            secretName: 'b',
            orgId: 'org-a',
            executionName: 'nightly-1-b',
            outcome: 'failed',
            error: { Error: 'States.TaskFailed', Cause: '{"Error":"TargetNotFoundError"}' },
          },
        ],
      ],
    });
    const event = (detail: Json): RecordedEvent =>
      ({
        eventId: 'e-1',
        detailType: FLEET_DETAIL_TYPE,
        source: EVENT_SOURCE,
        time: new Date(),
        resources: [],
        detail,
      }) as unknown as RecordedEvent;
    const fleetContract = eventContract(fleetEventSchemaFiles());
    const detail = {
      schemaVersion: FLEET_EVENT_SCHEMA_VERSION,
      executionId: 'arn:aws:states:eu-west-1:123456789012:execution:fleet:nightly-1',
      batchId: 'nightly-1',
      summary,
    };
    expect(fleetContract.violations([event(detail)])).toEqual([]);
    expect(
      fleetContract.violations([event({ ...detail, summary: { ...summary, outcomes: { succeeded: 1 } } })]),
    ).not.toEqual([]);
    // Without the fleet machine, no schema for an event the stack never emits.
    expect(
      Object.values(template.findResources('AWS::EventSchemas::Schema')).map(
        (resource) => resource.Properties.SchemaName,
      ),
    ).not.toContain(`${EVENT_SOURCE}@FleetRotationCompleted`);
  });

  it('keeps schemas/events and the union of every detail as `npm run schemas` writes them from the state machine (no drift, no stale file)', () => {
    const generated = generatedEventSchemaFiles();
    // The previous versions' files stay, as they were, for consumers of those versions (the fleet's
    // event is versioned on its own: its v1 file is a current one).
    const previous = (name: string) =>
      !generated.has(name) &&
      PREVIOUS_EVENT_SCHEMA_VERSIONS.some((version) => name.endsWith(`.v${version}.json`));
    const files = readdirSync(EVENT_SCHEMAS_DIR);
    expect(files.filter((name) => !previous(name)).sort()).toEqual([...generated.keys()].sort());
    const rotationMachineFiles = generated.size - fleetEventSchemaFiles().size;
    for (const version of PREVIOUS_EVENT_SCHEMA_VERSIONS) {
      expect(eventSchemaFiles(version).size, `schema version ${version}`).toBe(rotationMachineFiles);
    }
    for (const [name, content] of generated) {
      expect(readFileSync(join(EVENT_SCHEMAS_DIR, name), 'utf8'), name).toBe(content);
    }
    expect(readFileSync(join(UNION_SCHEMA_DIR, UNION_SCHEMA_FILE), 'utf8'), UNION_SCHEMA_FILE).toBe(
      generatedEventUnionFile(),
    );
  });

  it('counts each outcome from its terminal audit event with a metric filter in the rotator namespace', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busRef() },
      EventPattern: {
        source: [EVENT_SOURCE],
        'detail-type': Match.arrayWith([DETAIL_TYPE.succeeded, DETAIL_TYPE.refused, DETAIL_TYPE.rolledBack]),
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter'));
    expect(filters).toHaveLength(Object.values(OUTCOME_METRIC).length);
    for (const outcome of Object.values(OUTCOME_METRIC)) {
      const filter = filters.find(
        (resource) => (resource.Properties.MetricTransformations as Json[])[0]?.MetricName === outcome.name,
      );
      expect(filter, outcome.name).toBeDefined();
      const pattern = String(filter?.Properties.FilterPattern);
      expect(pattern).toContain(`$.detail-type = "${outcome.detailType}"`);
      expect(pattern).toContain(`$.source = "${EVENT_SOURCE}"`);
      expect(filter?.Properties.MetricTransformations).toMatchObject([
        {
          MetricNamespace: METRICS_NAMESPACE,
          MetricValue: '1',
          Unit: 'Count',
        },
      ]);
    }
    // Only EventBridge, for this rule, may write the outcome log group.
    const [policy] = Object.values(template.findResources('AWS::Logs::ResourcePolicy'));
    const document = JSON.stringify(policy?.Properties.PolicyDocument);
    expect(document).toContain('events.amazonaws.com');
    expect(document).toContain('aws:SourceArn');
    expect(document).toContain('logs:PutLogEvents');
  });

  it('tells held needs-attention events apart from other needs-attention events', () => {
    expect(outcomeMetricsOf(DETAIL_TYPE.needsAttention, 'AdoptionNotEvidenced').sort()).toEqual(
      [OUTCOME_METRIC.held.name, OUTCOME_METRIC.needsAttention.name].sort(),
    );
    expect(outcomeMetricsOf(DETAIL_TYPE.needsAttention, 'TransientUpstreamError')).toEqual([
      OUTCOME_METRIC.needsAttention.name,
    ]);
    expect(outcomeMetricsOf(DETAIL_TYPE.promoted, undefined)).toEqual([]);
  });

  it('shows outcomes, executions, durations, adoption latency, legacy requests and verify attempts on one dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = dashboardBody(template);
    for (const metric of [...Object.values(STEP_METRIC), ...Object.values(OUTCOME_METRIC)]) {
      expect(body, metric.name).toContain(`"${metric.name}"`);
    }
    for (const name of [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]) {
      expect(body, name).toContain(name);
    }
    expect(body).toContain(METRICS_NAMESPACE);
    // Every step metric is read with its one dimension, never an id.
    expect(body).not.toMatch(/clientId|secretId"|executionId"/);
  });

  it('alarms on needs attention, holds, rollbacks and slow verification, to the alarm topic', () => {
    const topic = stack.getLogicalId(stack.alarmTopic.node.defaultChild as CfnElement);
    for (const metricName of [
      OUTCOME_METRIC.needsAttention.name,
      OUTCOME_METRIC.held.name,
      OUTCOME_METRIC.rolledBack.name,
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: { MetricName: metricName, Namespace: METRICS_NAMESPACE },
            }),
          }),
        ],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topic }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'attempts / IF(verified > 0, verified, 1)' }),
      ]),
      Threshold: 4,
      AlarmActions: [{ Ref: topic }],
    });
  });
});

describe('the event contract check', () => {
  const contract = eventContract();
  const event = (detailType: string, detail: Json): RecordedEvent => ({
    eventId: 'e-1',
    eventBusName: 'bus',
    source: EVENT_SOURCE,
    detailType,
    detail,
    resources: [],
    time: new Date('2026-01-01T00:00:00Z'),
  });
  const common = {
    schemaVersion: '2',
    secretId: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:s-AbCdEf',
    executionId: 'arn:aws:states:eu-west-1:000000000000:execution:m:e',
    trigger: 'manual',
  };
  const both = { kind: 'oauth-client', legacyId: 'a', newId: 'b' };
  const verified = event(DETAIL_TYPE.verified, { ...common, credential: both });

  it('accepts a well-formed event', () => {
    expect(contract.violations([verified])).toEqual([]);
  });

  it('refuses an unknown fact, a missing fact, a wrong type, an unknown trigger and an unregistered detail type', () => {
    const cases = [
      event(DETAIL_TYPE.verified, { ...common, credential: both, clientSecret: 'x' }),
      event(DETAIL_TYPE.verified, { ...common, credential: { kind: 'oauth-client', legacyId: 'a' } }),
      event(DETAIL_TYPE.verified, { ...common, credential: { ...both, newId: 7 } }),
      event(DETAIL_TYPE.verified, { ...common, trigger: 'cron', credential: both }),
      // A version 1 fact in a version 2 event.
      event(DETAIL_TYPE.verified, { ...common, credential: both, newClientId: 'b' }),
      event('Rotation Teleported', common),
    ];
    const perDetailType = (bad: RecordedEvent) =>
      contract.violations([bad]).filter((violation) => !violation.problem.startsWith('detail not in'));
    for (const bad of cases) expect(perDetailType(bad), JSON.stringify(bad.detail)).toHaveLength(1);
    // The union of every detail refuses a fact no detail type has, as well.
    expect(contract.violations([cases[0] as RecordedEvent]).map((violation) => violation.problem)).toContain(
      `detail not in ${UNION_SCHEMA_FILE}`,
    );
  });

  it('accepts a needs-attention event whose error is a hold, and one whose error is a caught error', () => {
    const hold = {
      Error: 'LegacyClientStillUsed',
      Cause: 'legacy client a made 3 requests',
      reason: 'legacy-traffic',
      legacyClientId: 'a',
      legacyRequestsSincePromotion: 3,
      daysObserved: 2,
      evidenceDaysRequired: 2,
    };
    expect(
      contract.violations([
        event(DETAIL_TYPE.needsAttention, {
          ...common,
          credential: { kind: 'oauth-client', legacyId: 'a' },
          error: hold,
        }),
        event(DETAIL_TYPE.needsAttention, {
          ...common,
          credential: { kind: 'integration-credential', legacyId: 'key_a' },
          error: {
            Error: 'LegacyKeyStillUsed',
            Cause: 'the old key key_a was used 3 s ago',
            reason: 'legacy-traffic',
            legacyId: 'key_a',
            legacyKeyLastUsedAt: '2026-01-01T00:00:00.000Z',
            legacyKeyRequests: 9,
          },
        }),
        event(DETAIL_TYPE.needsAttention, {
          ...common,
          credential: { kind: 'oauth-client', legacyId: 'a' },
          error: { Error: 'X', Cause: 'y' },
        }),
      ]),
    ).toEqual([]);
  });
});

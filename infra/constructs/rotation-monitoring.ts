/**
 * What operators look at: the rotator's metrics on one dashboard, alarms over them, the audit bus
 * archived, and each audit event's JSON Schema in an EventBridge schema registry.
 *
 * Figures come from the Lambda steps that know them (EMF, `functions/shared/metric-names.ts`);
 * outcomes are counted from the terminal audit events (one metric filter per outcome over a log
 * group the bus writes them to); execution counts are Step Functions' own metrics.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
  Unit,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Archive, type IEventBus, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, ResourcePolicy, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  OUTCOME_METRIC,
  type OutcomeMetric,
  STEP_METRIC,
  type StepMetric,
} from '../../functions/shared/metric-names.js';
import { registryNameOf } from '../events/event-schemas.js';
import { FLEET_DETAIL_TYPE, FLEET_EVENT_SCHEMA_VERSION } from './fleet-rotation.js';
import { EVENT_SCHEMA_VERSION, EVENT_SOURCE } from './rotation-state-machine.js';

/** Where `npm run schemas` writes the generated event schemas. */
export const EVENT_SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/events/', import.meta.url));

export interface RotationMonitoringProps {
  readonly stateMachine: IStateMachine;
  readonly eventBus: IEventBus;
  /** The rotator's functions: their errors and durations go on the dashboard. @default - none */
  readonly functions?: Readonly<Record<string, IFunction>>;
  /** Where the alarms notify. @default - no action */
  readonly alarmAction?: IAlarmAction;
  /** How long the audit bus archive keeps events. @default Duration.days(365) */
  readonly archiveRetention?: Duration;
  /** @default 'genesys-credential-rotator' */
  readonly schemaRegistryName?: string;
  /** The stack has the fleet machine: register its event's schema too. @default false */
  readonly fleet?: boolean;
  /** Retention of the outcome log group. @default RetentionDays.ONE_YEAR */
  readonly outcomeLogRetention?: RetentionDays;
  /** @default `${stackName}-rotation` */
  readonly dashboardName?: string;
  /** Average Verify attempts per verified credential that alarms (Genesys slow to activate). @default 4 */
  readonly verifyAttemptsAlarmThreshold?: number;
}

/** A registered schema: its detail type and file. */
export interface RegisteredEventSchema {
  readonly detailType: string;
  readonly file: string;
  readonly schema: CfnSchema;
}

/** Generated schema files of `version` whose detail type `keep` accepts: detail type -> content. */
function schemaFilesOf(
  version: string,
  keep: (detailType: string) => boolean,
): Map<string, { file: string; content: string }> {
  const files = new Map<string, { file: string; content: string }>();
  for (const file of readdirSync(EVENT_SCHEMAS_DIR)
    .filter((name) => name.endsWith(`.v${version}.json`))
    .sort()) {
    const content = readFileSync(join(EVENT_SCHEMAS_DIR, file), 'utf8');
    const parsed = JSON.parse(content) as { properties?: { 'detail-type'?: { enum?: string[] } } };
    const detailType = parsed.properties?.['detail-type']?.enum?.[0];
    if (detailType === undefined) throw new Error(`${file} names no detail-type`);
    if (keep(detailType)) files.set(detailType, { file, content });
  }
  return files;
}

/** The rotation machine's generated schema files of this schema version: detail type -> content. */
export function eventSchemaFiles(
  version: string = EVENT_SCHEMA_VERSION,
): Map<string, { file: string; content: string }> {
  return schemaFilesOf(version, (detailType) => detailType !== FLEET_DETAIL_TYPE);
}

/** The fleet machine's generated schema file (`Fleet Rotation Completed`), versioned on its own. */
export function fleetEventSchemaFiles(
  version: string = FLEET_EVENT_SCHEMA_VERSION,
): Map<string, { file: string; content: string }> {
  return schemaFilesOf(version, (detailType) => detailType === FLEET_DETAIL_TYPE);
}

export class RotationMonitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly archive: Archive;
  readonly registry: CfnRegistry;
  readonly schemas: RegisteredEventSchema[] = [];
  readonly outcomeLogGroup: LogGroup;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: RotationMonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // 1) The audit bus, archived: a consumer that missed events can replay them.
    this.archive = new Archive(this, 'AuditArchive', {
      sourceEventBus: props.eventBus,
      description: 'Every audit event of the Genesys credential rotator',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(365),
    });

    // 2) One registered schema per detail type, from the generated files.
    this.registry = new CfnRegistry(this, 'SchemaRegistry', {
      registryName: props.schemaRegistryName ?? 'genesys-credential-rotator',
      description: `Audit events of the Genesys credential rotator (source ${EVENT_SOURCE})`,
    });
    const register = (files: ReturnType<typeof eventSchemaFiles>, version: string) => {
      for (const [detailType, { file, content }] of files) {
        const schema = new CfnSchema(this, `Schema-${detailType.replace(/[^A-Za-z0-9]+/g, '')}`, {
          registryName: this.registry.attrRegistryName,
          schemaName: registryNameOf(EVENT_SOURCE, detailType),
          type: 'JSONSchemaDraft4',
          content,
          description: `"${detailType}", schema version ${version} (schemas/events/${file})`,
        });
        this.schemas.push({ detailType, file, schema });
      }
    };
    register(eventSchemaFiles(), EVENT_SCHEMA_VERSION);
    if (props.fleet) register(fleetEventSchemaFiles(), FLEET_EVENT_SCHEMA_VERSION);

    // 3) Outcomes: the terminal audit events go to a log group; a metric filter per outcome counts them.
    this.outcomeLogGroup = new LogGroup(this, 'OutcomeLogGroup', {
      // EventBridge writes only to log groups under /aws/events/.
      logGroupName: `/aws/events/${stack.stackName}-rotation-outcomes`,
      retention: props.outcomeLogRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const outcomeRule = new Rule(this, 'OutcomeRule', {
      description: 'Terminal audit events of each rotation, counted by metric filters',
      eventBus: props.eventBus,
      eventPattern: {
        source: [EVENT_SOURCE],
        detailType: [...new Set(Object.values(OUTCOME_METRIC).map((outcome) => outcome.detailType))],
      },
    });
    const logGroupTarget: IRuleTarget = {
      bind: () => ({
        arn: stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.outcomeLogGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      }),
    };
    outcomeRule.addTarget(logGroupTarget);
    new ResourcePolicy(this, 'OutcomeLogGroupPolicy', {
      policyStatements: [
        new PolicyStatement({
          principals: [
            new ServicePrincipal('events.amazonaws.com'),
            new ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.outcomeLogGroup.logGroupArn}`],
          conditions: { ArnEquals: { 'aws:SourceArn': outcomeRule.ruleArn } },
        }),
      ],
    });
    for (const outcome of Object.values(OUTCOME_METRIC)) {
      this.outcomeLogGroup.addMetricFilter(outcome.name, {
        filterPattern: outcomeFilterPattern(outcome),
        metricNamespace: METRICS_NAMESPACE,
        metricName: outcome.name,
        metricValue: '1',
        unit: Unit.COUNT,
      });
    }

    // 4) Dashboard.
    const outcome = (metric: OutcomeMetric, period = Duration.days(1)) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: metric.name,
        statistic: 'Sum',
        period,
        label: metric.name,
      });
    const step = (metric: StepMetric, statistic: string, period = Duration.days(1)) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: metric.name,
        dimensionsMap: { service: METRICS_SERVICE },
        statistic,
        period,
        label: `${metric.name} (${statistic})`,
      });
    const machine = props.stateMachine;
    const day = { period: Duration.days(1), statistic: 'Sum' };
    const attemptsPerCredential = (period: Duration) =>
      new MathExpression({
        expression: 'attempts / IF(verified > 0, verified, 1)',
        usingMetrics: {
          attempts: step(STEP_METRIC.verifyAttempts, 'Sum', period),
          verified: step(STEP_METRIC.credentialsVerified, 'Sum', period),
        },
        period,
        label: 'Verify attempts per verified credential',
      });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `${stack.stackName}-rotation`,
      defaultInterval: Duration.days(30),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '## Genesys credential rotation\nOutcomes are counted from the audit events (`Rotation Succeeded`, ' +
          '`Rotation Refused`, ...); figures come from the steps that measure them. Ids are in the EMF ' +
          "metadata: query the functions' log groups in Logs Insights by `secretId` or `executionId`.",
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new SingleValueWidget({
        title: 'Outcomes (30 days)',
        metrics: Object.values(OUTCOME_METRIC).map((metric) => outcome(metric, Duration.days(30))),
        width: 24,
        height: 4,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Outcomes per day',
        left: Object.values(OUTCOME_METRIC).map((metric) => outcome(metric)),
        stacked: true,
        width: 12,
      }),
      new GraphWidget({
        title: 'Executions per day (Step Functions)',
        left: [
          machine.metricStarted(day),
          machine.metricSucceeded(day),
          machine.metricFailed(day),
          machine.metricTimedOut(day),
          machine.metricAborted(day),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Rotation duration and time to promotion (seconds)',
        left: [
          step(STEP_METRIC.rotationDuration, 'Average'),
          step(STEP_METRIC.rotationDuration, 'Maximum'),
          step(STEP_METRIC.timeToPromotion, 'Average'),
          step(STEP_METRIC.timeToPromotion, 'Maximum'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Adoption latency (seconds from promotion to adopted)',
        left: [
          step(STEP_METRIC.adoptionLatency, 'Average'),
          step(STEP_METRIC.adoptionLatency, 'p90'),
          step(STEP_METRIC.adoptionLatency, 'Maximum'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Legacy requests since promotion, at the gate',
        left: [step(STEP_METRIC.legacyRequestsSincePromotion, 'Maximum')],
        right: [step(STEP_METRIC.adoptionChecks, 'Average')],
        width: 8,
      }),
    );
    const functions = Object.entries(props.functions ?? {});
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Verify attempts',
        left: [step(STEP_METRIC.verifyAttempts, 'Sum'), step(STEP_METRIC.credentialsVerified, 'Sum')],
        right: [attemptsPerCredential(Duration.days(1))],
        width: 12,
      }),
      new GraphWidget({
        title: 'Function errors',
        left: functions.map(([name, fn]) => fn.metricErrors({ ...day, label: name }) as IMetric),
        width: 12,
      }),
    );

    // 5) Alarms.
    const alarm = (alarmId: string, alarmProps: ConstructorParameters<typeof Alarm>[2]) => {
      const created = new Alarm(this, alarmId, alarmProps);
      if (props.alarmAction) created.addAlarmAction(props.alarmAction);
      this.alarms.push(created);
      return created;
    };
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
    alarm('NeedsAttentionAlarm', {
      alarmDescription: 'A rotation ended in Rotation Needs Attention: a human must look (see the event).',
      metric: outcome(OUTCOME_METRIC.needsAttention, Duration.minutes(5)),
      ...atLeastOnce,
    });
    alarm('HeldAlarm', {
      alarmDescription:
        'A rotation held: the legacy client stays active because adoption was not evidenced or it is still used.',
      metric: outcome(OUTCOME_METRIC.held, Duration.minutes(5)),
      ...atLeastOnce,
    });
    alarm('RolledBackAlarm', {
      alarmDescription:
        'A rotation was rolled back before promotion (the legacy credential is still current).',
      metric: outcome(OUTCOME_METRIC.rolledBack, Duration.minutes(5)),
      ...atLeastOnce,
    });
    alarm('VerifyAttemptsAlarm', {
      alarmDescription:
        'New clients take many Verify attempts to become usable: Genesys is slow to activate them, close to the retry budget.',
      metric: attemptsPerCredential(Duration.hours(6)),
      threshold: props.verifyAttemptsAlarmThreshold ?? 4,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

/** The metric filter of one outcome: its detail type from our source (and, for a hold, the error). */
export function outcomeFilterPattern(outcome: OutcomeMetric) {
  const terms = [
    FilterPattern.stringValue('$.source', '=', EVENT_SOURCE),
    FilterPattern.stringValue('$.detail-type', '=', outcome.detailType),
  ];
  if ('errorNames' in outcome) {
    terms.push(
      FilterPattern.any(
        ...outcome.errorNames.map((name) => FilterPattern.stringValue('$.detail.error.Error', '=', name)),
      ),
    );
  }
  return FilterPattern.all(...terms);
}

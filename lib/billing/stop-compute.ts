/**
 * The billing guard's "stop compute" logic, as pure functions over an injected client: the Lambda
 * handler (stop-compute-handler.ts) wires it to the AWS SDK; tests wire it to a fake.
 *
 * Two triggers invoke it:
 * - a usage alarm (the fast path): the CloudWatch alarm's Lambda action, on every state change it is
 *   configured for; only ALARM stops anything;
 * - the budget's 100 % ACTUAL notification, through the guard's SNS topic. The topic also carries
 *   the other thresholds, forecasts, budget-action reports, anomaly alerts and the alarms' own
 *   messages; only the notification of this budget, of type ACTUAL, at 100 % or more stops anything.
 *
 * The stop itself is lib/compute/runtime/preserve-and-stop.ts (preserveAndStopEnvironment): group
 * processes suspended, instances protected and detached (desired capacity decremented, never set to
 * 0: that terminates them), every tagged instance stopped (its EBS volumes persist), every tagged
 * in-progress training job stopped (its checkpoints and output stay in S3). Nothing is terminated.
 */
import { preserveAndStopEnvironment, PreserveAndStopClient, PreserveAndStopResult } from '../compute/runtime/preserve-and-stop';

/** Percentage of actual cost at which the budget notification stops compute (and the budget actions run). */
export const BUDGET_STOP_THRESHOLD_PERCENT = 100;

/** The part of a CloudWatch alarm's Lambda action event the handler reads. */
export interface AlarmEvent {
  readonly source?: string;
  readonly alarmArn?: string;
  readonly alarmData?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
}

/**
 * The part of a Lambda SNS event the handler reads (`Records[].Sns`):
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
export interface SnsEvent {
  readonly Records: ReadonlyArray<{
    readonly EventSource?: string;
    readonly Sns?: { readonly TopicArn?: string; readonly Subject?: string; readonly Message?: string };
  }>;
}

export type StopEvent = AlarmEvent | SnsEvent;

/** What a budget notification says, read from its plain-text message. */
export interface BudgetNotification {
  readonly budgetName: string;
  /** `ACTUAL` or `FORECASTED`. */
  readonly alertType: string;
  readonly thresholdAmount: number;
  readonly budgetedAmount: number;
  /** The threshold as a percentage of the budgeted amount, to two decimals. */
  readonly thresholdPercent: number;
}

const amount = (text: string | undefined): number | undefined => {
  const m = /\$\s*([0-9][0-9,]*(?:\.[0-9]+)?)/.exec(text ?? '');
  return m ? Number(m[1].replace(/,/g, '')) : undefined;
};

/**
 * Reads an AWS Budgets notification message. Budgets publishes plain text, not JSON, and no
 * message attributes, so an SNS filter policy cannot select it (attribute filtering has nothing to
 * match, payload filtering needs JSON): the handler selects. The lines read are those of a captured
 * notification (test/fixtures/billing/budget-sns-notification_*): `Budget Name:`, `Alert Type:`,
 * `Alert Threshold: > $<amount>` and `Budgeted Amount: $<amount>`. Undefined for anything else.
 */
export function parseBudgetNotification(message: string | undefined): BudgetNotification | undefined {
  if (!message || !/^AWS Budget Notification/.test(message)) return undefined;
  const line = (label: string): string | undefined => new RegExp(`^${label}:[ \\t]*(.*)$`, 'm').exec(message)?.[1].trim();
  const budgetName = line('Budget Name');
  const alertType = line('Alert Type');
  const thresholdAmount = amount(line('Alert Threshold'));
  const budgetedAmount = amount(line('Budgeted Amount'));
  if (!budgetName || !alertType || thresholdAmount === undefined || budgetedAmount === undefined || budgetedAmount <= 0) return undefined;
  return { budgetName, alertType, thresholdAmount, budgetedAmount, thresholdPercent: Math.round((thresholdAmount / budgetedAmount) * 10000) / 100 };
}

/** True for this budget's ACTUAL notification at or above the stop threshold. */
export function isBudgetStopNotification(n: BudgetNotification | undefined, budgetName: string): boolean {
  return n !== undefined && n.budgetName === budgetName && n.alertType === 'ACTUAL' && n.thresholdPercent >= BUDGET_STOP_THRESHOLD_PERCENT;
}

function isSnsEvent(event: StopEvent): event is SnsEvent {
  return Array.isArray((event as SnsEvent).Records);
}

export interface StopConfig {
  readonly tagKey: string;
  readonly environmentName: string;
  readonly budgetName: string;
}

/** Why an event was let through or ignored. */
export function stopReason(event: StopEvent, budgetName: string): { stop: true; trigger: string } | { stop: false; skipped: string } {
  if (isSnsEvent(event)) {
    for (const r of event.Records) {
      const n = parseBudgetNotification(r.Sns?.Message);
      if (isBudgetStopNotification(n, budgetName)) return { stop: true, trigger: `budget ${budgetName}: ${n!.alertType} above ${n!.thresholdPercent} %` };
    }
    return { stop: false, skipped: `no ACTUAL notification at ${BUDGET_STOP_THRESHOLD_PERCENT} % or more of budget ${budgetName}` };
  }
  const state = event.alarmData?.state?.value;
  if (state !== 'ALARM') return { stop: false, skipped: `alarm state is ${state ?? 'unknown'}, not ALARM` };
  return { stop: true, trigger: `alarm ${event.alarmData?.alarmName ?? event.alarmArn ?? 'unknown'} in ALARM` };
}

/**
 * The handler's logic: stops the environment's compute when the event calls for it. Throws when any
 * call failed, after attempting all of them (the invocation fails, is retried and is visible).
 */
export async function handleStopEvent(
  event: StopEvent,
  client: PreserveAndStopClient,
  config: StopConfig,
): Promise<(PreserveAndStopResult & { trigger: string }) | { skipped: string }> {
  const reason = stopReason(event, config.budgetName);
  if (!reason.stop) return { skipped: reason.skipped };
  const result = await preserveAndStopEnvironment(client, config.tagKey, config.environmentName);
  if (result.errors.length > 0) {
    throw new Error(`stopping the compute of ${config.environmentName} failed in part: ${result.errors.join('; ')}`);
  }
  return { trigger: reason.trigger, ...result };
}

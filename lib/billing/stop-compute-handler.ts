/**
 * Lambda entry of the billing guard's "stop compute" action (pre-built at package build time by
 * scripts/build-handlers.ts). Invoked by the usage alarms (Lambda alarm action) and by the guard's SNS topic
 * (the budget's notifications). The AWS SDK v3 clients come from the Lambda runtime (`@aws-sdk/*`
 * is external to the bundle); the adapter is lib/compute/runtime/preserve-and-stop-sdk.ts.
 */
import { sdkPreserveAndStopClient } from '../compute/runtime/preserve-and-stop-sdk';
import { handleStopEvent, StopEvent } from './stop-compute';

export async function handler(event: StopEvent): Promise<unknown> {
  const environmentName = process.env.ENVIRONMENT_NAME;
  const tagKey = process.env.ENVIRONMENT_TAG_KEY;
  const budgetName = process.env.BUDGET_NAME;
  if (!environmentName || !tagKey || !budgetName) throw new Error('ENVIRONMENT_NAME, ENVIRONMENT_TAG_KEY and BUDGET_NAME must be set');
  const result = await handleStopEvent(event, sdkPreserveAndStopClient(), { tagKey, environmentName, budgetName });
  console.log(JSON.stringify({ environmentName, result }));
  return result;
}

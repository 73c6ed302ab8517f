/**
 * Tag contract (ARCHITECTURE.md, "Contracts"). Users, the gate and the telemetry pipeline rely on
 * these keys: change them only deliberately.
 */

/** Set to the environment name on every taggable resource of an environment. */
export const ENVIRONMENT_TAG = 'black-hole:environment';

/** Set to `true` on every agent role. */
export const AGENT_ROLE_TAG = 'black-hole:agent-role';

/** Value of {@link AGENT_ROLE_TAG} on agent roles. */
export const AGENT_ROLE_TAG_VALUE = 'true';

/** Tag key prefix reserved for this library; agents may never set or remove tags under it. */
export const RESERVED_TAG_PREFIX = 'black-hole:';

/** The validator moved to the library (black-hole.config.json is validated with it); kept here for the red-team loaders. */
export { validateJsonSchema } from '../../lib/gate/cli/json-schema';

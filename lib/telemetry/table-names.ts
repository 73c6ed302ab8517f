/** Glue table names, shared by the pipeline construct and its named queries. */
export const FLOW_LOG_TABLE_NAME_SQL = 'vpc_flow_logs';
export const VIOLATION_TABLE_NAME_SQL = 'violations';

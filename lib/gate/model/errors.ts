/**
 * The gate's input is unusable: a missing file, invalid JSON, something that is not a
 * CloudFormation template, a cdk.out directory without a manifest. The CLI reports `file` and
 * `reason` (one line) and exits 2; it never shows a stack trace for bad input.
 */
export class GateInputError extends Error {
  constructor(
    /** The file or directory that could not be used. */
    public readonly file: string,
    /** Why, in one line. */
    public readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'GateInputError';
  }
}

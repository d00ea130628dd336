import type { ConnectorStatus } from '../../connectors/contract.js';

/** A connector's status reports, kept for a test to read: the current halt and every one so far. */
export class RecordedStatus implements ConnectorStatus {
  readonly halts: string[] = [];
  current: string | undefined;

  halted(reason: string): void {
    this.current = reason;
    this.halts.push(reason);
  }

  running(): void {
    this.current = undefined;
  }
}

/** Whether this process has brought the schema up to date (read by the startup probe). */
export class MigrationState {
  private done = false;

  markDone(): void {
    this.done = true;
  }

  get isDone(): boolean {
    return this.done;
  }
}

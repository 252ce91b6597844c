// Coalesces redraw requests into at most one callback per animation frame. Pure: the frame source
// is injected (requestAnimationFrame in the panel, a manual pump in the tests).

export type FrameSource = (cb: () => void) => unknown;

export class FrameScheduler {
  private requested = false;
  private readonly tasks = new Set<() => void>();

  constructor(
    private readonly requestFrame: FrameSource,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Runs `task` once in the next frame, however often it is requested before then. */
  request(task: () => void): void {
    this.tasks.add(task);
    if (this.requested) return;
    this.requested = true;
    this.requestFrame(() => this.run());
  }

  /** Whether a frame has been requested and has not run yet. */
  pending(): boolean {
    return this.requested;
  }

  private run(): void {
    this.requested = false;
    const tasks = [...this.tasks];
    this.tasks.clear();
    for (const t of tasks) {
      try {
        t();
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

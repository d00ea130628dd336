import { describe, expect, it } from 'vitest';
import { FrameQueue } from '../../../../connectors/runtime/frame-queue.js';

describe('FrameQueue', () => {
  it('pauses the source past its byte budget however few the items, and resumes at half', async () => {
    const events: string[] = [];
    let release!: () => void;
    const queue = new FrameQueue<string>(
      1_000,
      {
        handle: (item) => {
          events.push(`handle ${item.length}`);
          return new Promise<void>((resolve) => (release = resolve));
        },
        onError: () => undefined,
        pause: () => events.push('pause'),
        resume: () => events.push('resume'),
      },
      { max: 100, sizeOf: (item) => item.length },
    );
    // Three lines of 40: the third takes the waiting bytes to 120, over the budget of 100.
    for (let i = 0; i < 3; i++) queue.push('x'.repeat(40));
    expect(events).toEqual(['handle 40', 'pause']);
    expect(queue.size).toBe(120);
    release();
    await new Promise((r) => setImmediate(r));
    // 80 waiting: still above half the budget.
    expect(events).toEqual(['handle 40', 'pause', 'handle 40']);
    release();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['handle 40', 'pause', 'handle 40', 'resume', 'handle 40']);
    release();
    await queue.idle();
    expect(queue.size).toBe(0);
  });
});

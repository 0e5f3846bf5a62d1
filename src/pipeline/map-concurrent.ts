// A bounded, backpressured concurrent map over an async iterable (like p-map's pMapIterable):
// at most `concurrency` calls run at once, and at most that many results wait for the consumer.

export interface MapConcurrentOptions {
  concurrency: number;
  /** Keep input order (default). Unordered yields each result as soon as it is ready. */
  ordered?: boolean;
}

export async function* mapConcurrent<In, Out>(
  source: AsyncIterable<In> | Iterable<In>,
  mapper: (item: In, index: number) => Promise<Out>,
  options: MapConcurrentOptions,
): AsyncGenerator<Out> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const ordered = options.ordered ?? true;
  const iterator =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<In>)[Symbol.asyncIterator]()
      : (source as Iterable<In>)[Symbol.iterator]();

  type Slot = { index: number; promise: Promise<{ slot: Slot; value: Out }> };
  const running: Slot[] = [];
  let nextIndex = 0;
  let exhausted = false;

  const startOne = async (): Promise<boolean> => {
    const step = await iterator.next();
    if (step.done) {
      exhausted = true;
      return false;
    }
    const index = nextIndex++;
    const slot = { index } as Slot;
    slot.promise = mapper(step.value, index).then((value) => ({ slot, value }));
    // Rejections surface when the slot is awaited; this stops an unhandled-rejection crash meanwhile.
    slot.promise.catch(() => {});
    running.push(slot);
    return true;
  };

  try {
    while (true) {
      while (!exhausted && running.length < concurrency) {
        if (!(await startOne())) break;
      }
      if (running.length === 0) return;
      let finished: { slot: Slot; value: Out };
      if (ordered) {
        finished = await running[0]!.promise;
      } else {
        finished = await Promise.race(running.map((s) => s.promise));
      }
      running.splice(running.indexOf(finished.slot), 1);
      yield finished.value;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
    await Promise.allSettled(running.map((s) => s.promise));
  }
}

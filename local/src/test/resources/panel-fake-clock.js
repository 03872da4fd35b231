// PanelBrowserTest's controlled clock, installed before the panel's own script runs
// (Page.addScriptToEvaluateOnNewDocument): setTimeout, clearTimeout and Date follow a clock only the test
// moves (window.__fakeClock.advance(ms)), and document.hidden is the test's to set. fetch stays real — every
// call still goes to local mode over HTTP and is counted there — but advance() waits for each one to finish
// (and for the page to act on its reply) before it runs the next timer, so a day passes in seconds and in
// the order it would have. Test-only: the deployed page has no hook for it.
(() => {
  const realSetTimeout = window.setTimeout.bind(window);
  const realClearTimeout = window.clearTimeout.bind(window);
  const realFetch = window.fetch.bind(window);
  const RealDate = Date;
  const fake = { now: RealDate.now(), timers: new Map(), seq: 1e9, version: 0, inFlight: 0, hidden: false };
  window.__fakeClock = fake;
  // Only the panel's own script runs on the fake clock: ChromeDriver's helpers (a click, an async script's
  // timeout) also use setTimeout and Date in this page, and must keep real time. The panel's code is the one
  // with the page's address in its stack (this script and ChromeDriver's have none).
  const fromPanel = () => (new Error().stack || "").includes(location.origin + "/");

  window.setTimeout = (fn, ms, ...args) => {
    if (!fromPanel()) return realSetTimeout(fn, ms, ...args);
    const id = ++fake.seq;
    fake.timers.set(id, { id, at: fake.now + Math.max(0, Number(ms) || 0), fn, args });
    fake.version++;
    return id;
  };
  window.clearTimeout = id => { if (fake.timers.delete(id)) fake.version++; else realClearTimeout(id); };
  const realSetInterval = window.setInterval.bind(window);
  window.setInterval = (...args) => {
    if (fromPanel()) throw new Error("the fake clock has no setInterval; the panel uses none");
    return realSetInterval(...args);
  };
  class FakeDate extends RealDate {
    constructor(...args) { if (args.length || !fromPanel()) super(...args); else super(fake.now); }
    static now() { return fromPanel() ? fake.now : RealDate.now(); }
  }
  window.Date = FakeDate;

  // The reply's body is read here, so that "no call in flight" also means "the page has its bytes".
  window.fetch = (...args) => {
    if (!fromPanel()) return realFetch(...args);
    fake.inFlight++;
    fake.version++;
    return realFetch(...args)
        .then(r => r.arrayBuffer().then(b => new Response(b, { status: r.status, statusText: r.statusText, headers: r.headers })))
        .finally(() => { fake.inFlight--; fake.version++; });
  };

  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => fake.hidden });
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true,
    get: () => fake.hidden ? "hidden" : "visible" });
  fake.setHidden = hidden => {
    fake.hidden = hidden;
    document.dispatchEvent(new Event("visibilitychange"));
  };

  // Quiet: no call in flight and nothing scheduled or cleared over two real ticks.
  const tick = () => new Promise(done => realSetTimeout(done, 1));
  fake.settle = async () => {
    for (let quiet = 0; quiet < 2;) {
      const before = fake.version;
      await tick();
      quiet = fake.inFlight === 0 && before === fake.version ? quiet + 1 : 0;
    }
  };

  // Moves the clock by ms, running every timer that falls due, in order, each after the page went quiet.
  fake.advance = async ms => {
    const end = fake.now + ms;
    await fake.settle();
    for (;;) {
      let next = null;
      for (const t of fake.timers.values()) {
        if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      }
      if (!next) break;
      fake.timers.delete(next.id);
      fake.now = Math.max(fake.now, next.at);
      fake.version++;
      try { next.fn(...next.args); } catch (e) { console.error(e); }
      await fake.settle();
    }
    fake.now = end;
  };
})();

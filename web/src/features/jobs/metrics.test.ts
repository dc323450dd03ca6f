import { describe, expect, it } from 'vitest';
import { cfThresholds, lastPoint, liveProgress, mergeEvents, mergeMetrics, metricSeries, preferenceSeries, reportedProgress } from './metrics';
import { SPEC, makeEvent, makeJob, makeMetric } from './testData';

describe('job metrics shaping', () => {
  it('merges snapshot and streamed rows, one per (step, kind), the newer winning', () => {
    const snapshot = [makeMetric(1, { loss: 2.5 }), makeMetric(2, { loss: 2.1 })];
    const streamed = [makeMetric(2, { loss: 2.0, attempt: 2 }), makeMetric(2, { kind: 'eval', eval_loss: 2.2 }), makeMetric(3, { loss: 1.9 })];
    const merged = mergeMetrics(snapshot, streamed);
    expect(merged.map((m) => [m.step, m.kind, m.loss ?? m.eval_loss])).toEqual([
      [1, 'train', 2.5],
      [2, 'eval', 2.2],
      [2, 'train', 2.0],
      [3, 'train', 1.9],
    ]);
    expect(mergeMetrics(snapshot, [])).toBe(snapshot);
  });

  it('turns rows into chart series by step, skipping fields not measured at a step', () => {
    const rows = [
      makeMetric(1, { loss: 2.5, lr: 1e-4, tokens_per_s: 900 }),
      makeMetric(2, { loss: 2.1, lr: 2e-4, tokens_per_s: 950 }),
      makeMetric(2, { kind: 'eval', eval_loss: 2.3, cf_score: 0.02 }),
      makeMetric(4, { loss: 1.7, lr: 1.5e-4, eval_loss: 2.0, cf_score: 0.05 }),
    ];
    const series = metricSeries(mergeMetrics([], rows));
    expect(series.loss).toEqual([[1, 2.5], [2, 2.1], [4, 1.7]]);
    expect(series.evalLoss).toEqual([[2, 2.3], [4, 2.0]]);
    expect(series.lr).toEqual([[1, 1e-4], [2, 2e-4], [4, 1.5e-4]]);
    expect(series.cf).toEqual([[2, 0.02], [4, 0.05]]);
    expect(series.tokensPerSecond).toEqual([[1, 900], [2, 950]]);
    expect(lastPoint(series.loss)).toEqual([4, 1.7]);
    expect(lastPoint([])).toBeNull();
  });

  it('keeps events one per seq, oldest first', () => {
    const merged = mergeEvents([makeEvent(2, 'b'), makeEvent(1, 'a')], [makeEvent(3, 'c'), makeEvent(2, 'b again')]);
    expect(merged.map((e) => [e.seq, e.message])).toEqual([[1, 'a'], [2, 'b again'], [3, 'c']]);
  });

  it('reads the CF thresholds from the resolved spec', () => {
    expect(cfThresholds(SPEC)).toEqual({ enabled: true, warn: 0.15, stop: null });
    expect(cfThresholds({ cf: { enabled: false, warn_threshold: 0.2, stop_threshold: 0.4 } })).toEqual({ enabled: false, warn: 0.2, stop: 0.4 });
    expect(cfThresholds({})).toEqual({ enabled: true, warn: null, stop: null });
  });

  it('takes progress from the job when the API reports it, else from the rows', () => {
    expect(reportedProgress(makeJob())).toBeNull(); // not started yet
    const job = makeJob({ progress: { step: 30, total_steps: 120, fraction: 0.25, epoch: 0.5, eta_s: 90 } });
    expect(reportedProgress(job)).toEqual({ step: 30, totalSteps: 120, fraction: 0.25, etaSeconds: 90 });
    const noTotal = makeJob({ progress: { step: 3, total_steps: null, fraction: null, epoch: null, eta_s: null } });
    expect(reportedProgress(noTotal)).toEqual({ step: 3, totalSteps: null, fraction: null, etaSeconds: null });

    const events = [makeEvent(1, 'training started', { data: { total_steps: 40, start_step: 0 } })];
    expect(liveProgress([makeMetric(10, { loss: 1 })], events)).toEqual({ step: 10, totalSteps: 40, fraction: 0.25, etaSeconds: null });
    expect(liveProgress([], events)).toBeNull();
  });
});

describe('preferenceSeries', () => {
  it('charts the reward numbers a preference run reports in extra, and nothing for SFT', () => {
    const rows = [
      makeMetric(1, { loss: 0.69, extra: { reward_margin: 0, reward_accuracy: 0, logps_chosen: -40, logps_rejected: -40 } }),
      makeMetric(2, { loss: 0.6, extra: { reward_margin: 0.3, reward_accuracy: 1, logps_chosen: -38, logps_rejected: -43, eval_reward_margin: 0.25 } }),
    ];
    const pref = preferenceSeries(rows);
    expect(pref.margin).toEqual([[1, 0], [2, 0.3]]);
    expect(pref.evalMargin).toEqual([[2, 0.25]]);
    expect(pref.chosen.at(-1)).toEqual([2, -38]);
    expect(pref.rejected.at(-1)).toEqual([2, -43]);
    expect(metricSeries([makeMetric(1, { loss: 1 })]).preference.margin).toEqual([]);
  });
});

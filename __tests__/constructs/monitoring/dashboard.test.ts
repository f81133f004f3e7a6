/**
 * MonitoringDashboard and its widgets (lib/constructs/monitoring/dashboard.ts): the layout, and
 * every filter the same as the alerts'.
 */
import { MonitoringDashboard, serviceWidgets } from "../../../lib";
import { Json } from "../../helpers";
import { refusedWith, stackWith, synthOf } from "./builders";

describe("MonitoringDashboard", () => {
  test("a dashboard from typed widgets: two a row, zero positions left out, every filter as the alerts'", () => {
    let json = "";
    synthOf(
      stackWith((s) => {
        json = new MonitoringDashboard(s, "dashboard", {
          displayName: "predict (prod)",
          widgets: serviceWidgets("predict"),
        }).json;
      }),
    );
    const d = JSON.parse(json);
    expect(d.displayName).toBe("predict (prod)");
    expect(d.mosaicLayout.columns).toBe(48);
    expect(d.mosaicLayout.tiles.map((t: Json) => [t.xPos, t.yPos, t.width, t.height])).toEqual([
      [undefined, undefined, 24, 16],
      [24, undefined, 24, 16],
      [undefined, 16, 24, 16],
      [24, 16, 24, 16],
    ]);
    const titles = d.mosaicLayout.tiles.map((t: Json) => t.widget.title);
    expect(titles).toEqual([
      "predict: requests per second, by response class",
      "predict: 5xx error ratio",
      "predict: latency (ms), p50 and p99",
      "predict: instances, by state",
    ]);
    const ratio = d.mosaicLayout.tiles[1].widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilterRatio;
    expect(ratio.numerator.filter).toContain('metric.labels.response_code_class = "5xx"');
    const latency = d.mosaicLayout.tiles[2].widget.xyChart.dataSets.map(
      (s: Json) => s.timeSeriesQuery.timeSeriesFilter.aggregation.crossSeriesReducer,
    );
    expect(latency).toEqual(["REDUCE_PERCENTILE_50", "REDUCE_PERCENTILE_99"]);
    refusedWith(
      () => stackWith((s) => new MonitoringDashboard(s, "d", { displayName: "x", widgets: [] })),
      "widgets",
      /at least one widget/,
    );
  });
});

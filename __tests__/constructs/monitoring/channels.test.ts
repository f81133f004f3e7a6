/**
 * NotificationChannels (lib/constructs/monitoring/channels.ts): email channels made from
 * addresses, beside existing channel ids.
 */
import { NotificationChannels } from "../../../lib";
import { Json, resources } from "../../helpers";
import { CHANNEL, refusedWith, stackWith, synthOf } from "./builders";

describe("NotificationChannels", () => {
  test("email channels from addresses, beside existing ids; a bad address is refused", () => {
    let ids: readonly string[] = [];
    const out = synthOf(
      stackWith((s) => {
        ids = new NotificationChannels(s, "channels", {
          emails: ["b@acme.example", "a@acme.example"],
          existing: [CHANNEL],
        }).ids;
      }),
    );
    const channels = Object.values<Json>(resources(out, "google_monitoring_notification_channel"));
    expect(channels.map((c) => [c.type, c.labels.email_address])).toEqual([
      ["email", "a@acme.example"],
      ["email", "b@acme.example"],
    ]);
    expect(ids).toHaveLength(3);
    expect(ids[2]).toBe(CHANNEL);
    refusedWith(
      () => stackWith((s) => new NotificationChannels(s, "c", { emails: ["oncall"] })),
      "emails[0]",
      /email address/,
    );
  });
});

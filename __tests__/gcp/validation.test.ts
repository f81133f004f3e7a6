/**
 * The shared constraints of lib/gcp/validation.ts that guard a decision: a reason given for an
 * exception (an acknowledged policy finding, a declared parity difference) must be words a
 * reviewer reads, not characters that print as nothing. Where those reasons are given, the
 * same constraint answers: config/parse.test.ts (an environment's acknowledgements and
 * differences) and policies/pack.test.ts (acknowledge()).
 */
import fc from "fast-check";
import { REASON_LETTERS, reasonText } from "../../lib/gcp/validation";
import { propertyRuns } from "../tier";

describe("reasonText", () => {
  test.each([
    ["an English reason", "called by the partner API gateway over the internet"],
    ["exactly ten letters, with digits and punctuation", "CVE-2024-1: patched upstream"],
    ["Japanese", "パートナーのゲートウェイから呼ばれる"],
    ["Greek", "καλείται από τον συνεργάτη"],
    ["Arabic", "يستدعيها الشريك عبر الإنترنت"],
    ["letters with combining accents", "re\u0301sume\u0301 of the de\u0301cision"],
  ])("accepts %s", (_case, reason) => {
    expect(reasonText(reason)).toBeUndefined();
  });

  test.each([
    ["ten zero-width spaces", "\u200b".repeat(10), /U\+200B is a control or invisible character/],
    ["a word joiner hidden in words", "a real reas\u2060on here", /U\+2060/],
    ["a right-to-left override", "\u202egnol hguone nosaer a", /U\+202E/],
    ["a NUL", "long enough\u0000reason", /U\+0000/],
    ["a line break", "two lines of\nreasoning here", /U\+000A/],
    ["a private-use character", "an icon \ue000 for a reason", /U\+E000/],
    ["a byte-order mark", "\ufeffa reason long enough", /U\+FEFF/],
    ["spaces", " ".repeat(40), /at least 10 letters/],
    ["digits and punctuation", "1234567890 !!!! ----", /at least 10 letters/],
    ["nine letters", "too short", /at least 10 letters/],
    ["one word", "because", /at least 10 letters/],
    ["one key held down", "aaaaaaaaaaaa", /of at least 4 different ones/],
    [
      "ten Hangul fillers (letters that print as nothing)",
      "\u3164".repeat(10),
      /U\+3164 is a control or invisible character/,
    ],
    ["Hangul half-width fillers", "\uffa0".repeat(12), /U\+FFA0/],
    ["not text", 42 as unknown as string, /must be text/],
  ])("refuses %s", (_case, reason, message) => {
    expect(reasonText(reason)).toMatch(message);
  });

  test("letters are counted, not UTF-16 code units: astral letters count once, emoji not at all", () => {
    // 𝒜 (U+1D49C) is one letter in two code units; 9 of them are not enough, 10 are.
    expect(reasonText("𝒜".repeat(REASON_LETTERS - 1))).toMatch(/at least 10 letters/);
    expect(reasonText("𝒜𝒞𝒟𝒢".repeat(3))).toBeUndefined();
    expect(reasonText("🔥".repeat(40))).toMatch(/at least 10 letters/);
  });

  test("any text with an invisible character anywhere is refused, whatever else it says", () => {
    const invisible = fc.constantFrom("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u0007");
    fc.assert(
      fc.property(fc.string(), invisible, fc.string(), (before, hidden, after) => {
        expect(reasonText(`${before}${hidden}${after}the reason itself`)).toMatch(/control or invisible character/);
      }),
      propertyRuns(200),
    );
  });
});

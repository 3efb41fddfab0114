"""Small bar charts drawn as PNG without Qt or any imaging library, for the digest mail: it is
written on whichever thread queues it, and a mail reader shows a PNG where it would not run a
script or draw an SVG. Labels use a 5×7 pixel font drawn at twice its size."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

Colour = tuple[int, int, int]
WHITE: Colour = (255, 255, 255)
INK: Colour = (40, 44, 52)
GRID: Colour = (222, 225, 230)
BAR: Colour = (52, 120, 198)
TARGET: Colour = (200, 40, 40)

# Each glyph: 7 rows of 5 pixels ("#" on).
_GLYPHS = {
    "0": ".###.#...##..###.#.###..##...#.###.", "1": "..#...##....#....#....#....#...###.",
    "2": ".###.#...#....#...#...#...#...#####", "3": "#####...#...#.....#.....##...#.###.",
    "4": "...#...##..#.#.#..#.#####...#....#.", "5": "######....####.....#....##...#.###.",
    "6": "..##..#...#....####.#...##...#.###.", "7": "#####....#...#...#...#....#....#...",
    "8": ".###.#...##...#.###.#...##...#.###.", "9": ".###.#...##...#.####....#...#..##..",
    "A": ".###.#...##...#######...##...##...#", "B": "####.#...##...#####.#...##...#####.",
    "C": ".###.#...##....#....#....#...#.###.", "D": "###..#..#.#...##...##...##..#.###..",
    "E": "######....#....####.#....#....#####", "F": "######....#....####.#....#....#....",
    "G": ".###.#...##....#.####...##...#.####", "H": "#...##...##...#######...##...##...#",
    "I": ".###...#....#....#....#....#...###.", "J": "..###...#....#....#....##..#..##...",
    "K": "#...##..#.#.#..##...#.#..#..#.#...#", "L": "#....#....#....#....#....#....#####",
    "M": "#...###.###.#.##...##...##...##...#", "N": "#...##...###..##.#.##..###...##...#",
    "O": ".###.#...##...##...##...##...#.###.", "P": "####.#...##...#####.#....#....#....",
    "Q": ".###.#...##...##...##.#.##..#..##.#", "R": "####.#...##...#####.#.#..#..#.#...#",
    "S": ".####.....#.....###.....#....#####.", "T": "#####..#....#....#....#....#....#..",
    "U": "#...##...##...##...##...##...#.###.", "V": "#...##...##...##...##...#.#.#...#..",
    "W": "#...##...##...##.#.##.#.##.#.#.#.#.", "X": "#...##...#.#.#...#...#.#.#...##...#",
    "Y": "#...##...#.#.#...#....#....#....#..", "Z": "#####....#...#...#...#...#....#####",
    "%": "##...##..#...#...#...#...#..##...##", ".": "..........................##...##..",
    "-": "................###................", ">": ".#.....#.....#.....#...#...#...#...",
    "$": "..#...####.#....###.....#####...#..", ":": "......##...##........##...##.......",
    ",": ".....................##....#...#...", "/": "....#...#...#...#...#....#.........",
    "(": "...#...#...#....#....#.....#.....#.", ")": ".#.....#.....#....#....#...#...#...",
    "+": ".......#....#..#####..#....#.......", " ": "." * 35,
}
SCALE = 2
CHAR_W = 6 * SCALE  # 5 pixels and a gap
TEXT_H = 7 * SCALE


class Canvas:
    def __init__(self, width: int, height: int, fill: Colour = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = [bytearray(bytes(fill) * width) for _ in range(height)]

    def rect(self, x: int, y: int, w: int, h: int, colour: Colour) -> None:
        x0, x1 = max(0, x), min(self.width, x + w)
        if x1 <= x0:
            return
        for row in range(max(0, y), min(self.height, y + h)):
            self.pixels[row][x0 * 3:x1 * 3] = bytes(colour) * (x1 - x0)

    def dashed(self, x0: int, x1: int, y: int, colour: Colour) -> None:
        for x in range(x0, x1, 8):
            self.rect(x, y - 1, 5, 2, colour)

    def text(self, x: int, y: int, words: str, colour: Colour = INK) -> None:
        for n, char in enumerate(words.upper()):
            glyph = _GLYPHS.get(char, _GLYPHS[" "]).ljust(35, ".")
            for bit, on in enumerate(glyph[:35]):
                if on == "#":
                    self.rect(x + n * CHAR_W + bit % 5 * SCALE, y + bit // 5 * SCALE,
                              SCALE, SCALE, colour)

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.pixels)

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def text_width(words: str) -> int:
    return len(words) * CHAR_W


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as written beside the bar


def column_chart(title: str, bars: Sequence[Bar], target: float | None,
                 width: int = 520, height: int = 220) -> bytes:
    """Vertical bars (a 12-week trend), each labelled below, its value above; the target as
    a red dashed line."""
    canvas = Canvas(width, height)
    canvas.text(8, 6, title)
    top, bottom, left = 30 + TEXT_H, height - TEXT_H - 10, 8
    highest = max([b.value for b in bars] + [target or 0, 1])
    slot = (width - 2 * left) // max(1, len(bars))
    for n, bar in enumerate(bars):
        h = round((bottom - top) * bar.value / highest)
        x = left + n * slot
        canvas.rect(x + 3, bottom - h, slot - 6, h, BAR)
        canvas.text(x + (slot - text_width(bar.shown)) // 2, bottom - h - TEXT_H - 3,
                    bar.shown)
        canvas.text(x + (slot - text_width(bar.label)) // 2, bottom + 6, bar.label)
    canvas.rect(left, bottom, width - 2 * left, 1, INK)
    if target is not None:
        canvas.dashed(left, width - left, bottom - round((bottom - top) * target / highest),
                      TARGET)
    return canvas.png()


def bar_chart(title: str, bars: Sequence[Bar], width: int = 520) -> bytes:
    """Horizontal bars of shares (a waterfall's conversions), the label at the left and the
    value at the bar's end."""
    row = TEXT_H + 12
    height = 30 + TEXT_H + row * max(1, len(bars)) + 6
    canvas = Canvas(width, height)
    canvas.text(8, 6, title)
    label_w = max([text_width(b.label) for b in bars] + [0]) + 16
    room = width - label_w - text_width("100%") - 24
    for n, bar in enumerate(bars):
        y = 30 + TEXT_H + n * row
        canvas.text(8, y + 3, bar.label)
        w = round(room * max(0.0, min(1.0, bar.value)))
        canvas.rect(label_w, y, w, row - 6, BAR)
        canvas.text(label_w + w + 6, y + 3, bar.shown)
    return canvas.png()

"""How OCR'd number cells are read: zero lookalikes, dust, and the strokes of large titles.

The number reading (workbench/sources/ocr_digits.py) is tested on the recogniser's own
character list with probability rows like those it returns for a lone printed zero (0.6 on
"0", 0.3 on "O"); the pixel steps (workbench/sources/scan.py) on drawn pages.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from scan_support import FONT

from workbench.parse.metadata import agency_and_year, title_candidates
from workbench.sources import ocr_rec, scan
from workbench.sources.document import UNREAD_MARK, Paragraph, Table
from workbench.sources.ocr_digits import number_reading, plain_reading


@pytest.fixture(scope="module")
def character() -> tuple[str, ...]:
    return tuple(ocr_rec.recogniser().postprocess_op.character)


def steps(character: tuple[str, ...], *columns: dict[str, float]) -> np.ndarray:
    """CTC probability rows: each dict gives one step's probabilities (the rest is blank)."""
    preds = np.zeros((len(columns) * 2 + 1, len(character)), dtype=np.float32)
    preds[:, 0] = 1.0
    for i, probs in enumerate(columns):
        row = preds[2 * i + 1]
        row[0] = 1.0 - sum(probs.values())
        for ch, p in probs.items():
            row[character.index(ch)] = p
    return preds


def test_a_zero_spread_over_lookalikes_reads_as_a_confident_zero(character) -> None:
    preds = steps(character, {"0": 0.62, "O": 0.25, "o": 0.11})
    assert plain_reading(preds, character) == ("0", pytest.approx(0.62))
    text, confidence = number_reading(preds, character)
    assert text == "0" and confidence == pytest.approx(0.98) and confidence >= scan.UNCERTAIN


def test_zero_lookalikes_inside_a_number_fold_too(character) -> None:
    text, confidence = number_reading(steps(character, {"1": 0.95}, {"O": 0.5, "0": 0.45}), character)
    assert text == "10" and confidence == pytest.approx(0.95)


def test_a_point_after_the_last_digit_is_dust(character) -> None:
    preds = steps(character, {"9": 0.97}, {"2": 0.96}, {".": 0.8})
    assert plain_reading(preds, character)[0] == "92."
    assert number_reading(preds, character)[0] == "92"
    stop = steps(character, {"4": 0.97}, {"6": 0.96}, {"。": 0.7})
    assert number_reading(stop, character)[0] == "46"
    assert number_reading(steps(character, {"4": 0.97}, {"。": 0.7}, {"6": 0.96}), character) is None
    inner = steps(character, {"4": 0.97}, {".": 0.8}, {"9": 0.96})
    assert number_reading(inner, character)[0] == "4.9"  # a point between digits stays: the cell is judged whole


def test_a_letter_that_is_no_digit_gives_no_number_reading(character) -> None:
    assert number_reading(steps(character, {"C": 0.49, "c": 0.06}, {"O": 0.4, "0": 0.39}), character) is None
    assert number_reading(steps(character, {"行": 0.9}), character) is None


def test_strokes_that_could_be_a_ruling_line_are_not_folded_into_a_one(character) -> None:
    # What is left of a vertical rule reads "|" or "l": never a 1 in a cell that printed nothing.
    for mark in ("|", "l", "I"):
        if mark in character:
            assert number_reading(steps(character, {mark: 0.9}), character) is None


def cell_page(number: str, speck: tuple[int, int] | None, shade: int) -> Image.Image:
    """One ruled 3 × 2 table at 200 dpi; a pale blot of dust between the digits of ``number``."""
    image = Image.new("RGB", (900, 330), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 30)
    xs, ys = [60, 460, 840], [60, 150, 240]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill="black", width=3)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill="black", width=3)
    draw.text((260, 105), "行政许可", font=font, fill="black", anchor="mm")
    draw.text((650, 105), number, font=font, fill="black", anchor="mm")
    draw.text((260, 195), "行政处罚", font=font, fill="black", anchor="mm")
    draw.text((650, 195), "0", font=font, fill="black", anchor="mm")
    if speck:
        x, y = speck
        draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=(shade, shade, shade))
    return image


def grid_of(image: Image.Image) -> Table:
    tables = [b for b in scan.image_blocks("drawn.png", image, 1, 200) if isinstance(b, Table)]
    assert len(tables) == 1
    return tables[0]


def test_a_pale_blot_between_digits_is_dust_not_a_decimal_point() -> None:
    table = grid_of(cell_page("7 0", speck=(650, 113), shade=175))
    assert table.rows[0][1].replace(" ", "") == "70"
    assert table.rows[1][1] == "0"  # a lone zero is read, not left unread for its O lookalike


def test_a_printed_decimal_point_as_dark_as_the_digits_is_kept() -> None:
    table = grid_of(cell_page("86.5", speck=None, shade=0))
    assert table.rows[0][1] == "86.5"


def test_dust_all_over_the_page_leaves_every_number_readable() -> None:
    image = cell_page("1830", speck=None, shade=0)
    rng = random.Random(3)
    pixels = image.load()
    for _ in range(1500):  # single pale specks, as a grey scan of dusty paper shows
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = (120, 120, 120)
    table = grid_of(image)
    assert [row[1] for row in table.rows] == ["1830", "0"]


def test_a_large_title_is_a_paragraph_and_its_strokes_frame_no_table() -> None:
    image = Image.new("RGB", (1654, 700), "white")
    draw = ImageDraw.Draw(image)
    draw.text((827, 120), "泰和市人民政府2022年政府信息公开工作年度报告", font=ImageFont.truetype(str(FONT), 62),
              fill="black", anchor="mm")
    draw.text((160, 300), "一、总体情况", font=ImageFont.truetype(str(FONT), 30), fill="black")
    blocks = scan.image_blocks("title.png", image, 1, 200)
    assert not [b for b in blocks if isinstance(b, Table)]
    title = next(b.text for b in blocks if isinstance(b, Paragraph))
    assert "泰和市人民政府" in title.replace(" ", "")
    assert agency_and_year(title_candidates(None, title)) == ("泰和市人民政府", 2022)


def test_two_touching_sevens_are_never_read_as_one() -> None:
    """CTC writes 77 as 7, blank, 7; where the bars of the two 7s touch, the blank never comes and
    the cell read "7" at 0.98, a wrong number. Such a reading is checked on the piece drawn wider
    and left unread when the two disagree."""
    image = cell_page("", speck=None, shade=0)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 30)
    width = draw.textlength("7", font=font)
    for x in (640, 640 + width - 4):  # 4 px of overlap: the bars join into one
        draw.text((x, 105), "7", font=font, fill="black", anchor="mm")
    cell = grid_of(image).rows[0][1]
    assert cell in ("77", UNREAD_MARK), cell

"""A city's 住民基本台帳 export, made up: CP932 CSV rows of realistic names, addresses and valid My Numbers.

In the package because the demo loads its dataset from it at run time (bench/ is not installed).
Deterministic (one seed), written as a stream so that the generator stays small whatever the size.
The columns are those of the vault's demo dataset 住民基本台帳抜粋, as a city's system exports them:
half-width kana (ｻﾄｳ ﾀﾛｳ) beside full-width, the ideographic space in names, era and western dates, the IBM
extension kanji of CP932 that exist for names (髙, 﨑), and 備考 mostly empty.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from itaku.lib.mynumber import check_digit

# The benchmark's declaration, as keyword arguments of vault.services.FieldSpec (this module stays free of
# Django): ten fields, two of them searchable (氏名, 氏名カナ), one My Number.
FIELDS = [
    {"name": "宛名番号", "kind": "number"}, {"name": "氏名", "kind": "text", "searchable": True},
    {"name": "氏名カナ", "kind": "text", "searchable": True}, {"name": "生年月日", "kind": "date"},
    {"name": "性別", "kind": "text"}, {"name": "郵便番号", "kind": "postal_code"}, {"name": "住所", "kind": "text"},
    {"name": "電話番号", "kind": "phone"}, {"name": "個人番号", "kind": "my_number"},
    {"name": "備考", "kind": "free_text", "required": False},
]
HEADER = [spec["name"] for spec in FIELDS]

SURNAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("髙橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("渡邊", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"),
    ("斎藤", "サイトウ"), ("齋藤", "サイトウ"), ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("山﨑", "ヤマザキ"),
    ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"), ("石川", "イシカワ"),
    ("長谷川", "ハセガワ"), ("近藤", "コンドウ"), ("後藤", "ゴトウ"), ("岡田", "オカダ"), ("藤田", "フジタ"),
    ("前田", "マエダ"), ("小川", "オガワ"), ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"),
    ("坂本", "サカモト"), ("福田", "フクダ"), ("西村", "ニシムラ"), ("太田", "オオタ"), ("三浦", "ミウラ"),
    ("藤原", "フジワラ"), ("岡本", "オカモト"), ("松田", "マツダ"), ("中川", "ナカガワ"), ("原田", "ハラダ"),
]
GIVEN_NAMES = [
    ("太郎", "タロウ", "男"), ("一郎", "イチロウ", "男"), ("健太", "ケンタ", "男"), ("翔太", "ショウタ", "男"),
    ("大輔", "ダイスケ", "男"), ("拓也", "タクヤ", "男"), ("直樹", "ナオキ", "男"), ("浩二", "コウジ", "男"),
    ("誠", "マコト", "男"), ("隆", "タカシ", "男"), ("蓮", "レン", "男"), ("悠真", "ユウマ", "男"),
    ("湊", "ミナト", "男"), ("勇", "イサム", "男"), ("博之", "ヒロユキ", "男"), ("修", "オサム", "男"),
    ("花子", "ハナコ", "女"), ("﨑子", "サキコ", "女"), ("陽子", "ヨウコ", "女"), ("恵子", "ケイコ", "女"),
    ("美咲", "ミサキ", "女"), ("由美", "ユミ", "女"), ("さくら", "サクラ", "女"), ("陽菜", "ヒナ", "女"),
    ("結衣", "ユイ", "女"), ("真由美", "マユミ", "女"), ("幸子", "サチコ", "女"), ("京子", "キョウコ", "女"),
    ("葵", "アオイ", "女"), ("凛", "リン", "女"), ("智子", "トモコ", "女"), ("和子", "カズコ", "女"),
]
TOWNS = [
    ("北品川", "140-0001"), ("東品川", "140-0002"), ("八潮", "140-0003"), ("南品川", "140-0004"),
    ("広町", "140-0005"), ("東大井", "140-0011"), ("勝島", "140-0012"), ("南大井", "140-0013"),
    ("大井", "140-0014"), ("西大井", "140-0015"), ("上大崎", "141-0021"), ("東五反田", "141-0022"),
    ("西五反田", "141-0031"), ("大崎", "141-0032"), ("西品川", "141-0033"), ("戸越", "142-0041"),
    ("豊町", "142-0042"), ("二葉", "142-0043"), ("中延", "142-0053"), ("西中延", "142-0054"),
    ("小山", "142-0062"), ("荏原", "142-0063"), ("旗の台", "142-0064"), ("平塚", "142-0051"),
]
BUILDINGS = ["", "", "", " ｺｰﾎﾟ品川{n}号室", " パークハウス{n}", " 第２ハイツ{n}号", " ﾒｿﾞﾝ戸越 {n}"]
NOTES = ["転入（令和5年4月）", "送付先別住所", "世帯主", "外国人住民", "①支所扱い", "㈱本社と同一"]
ERAS = {"昭和": 1926, "平成": 1989}

_HALF: dict[str, str] = {}  # full-width katakana → half-width, voiced marks included (ガ → ｶﾞ), built from NFKC itself
for code in range(0xFF66, 0xFF9E):
    _HALF[unicodedata.normalize("NFKC", chr(code))] = chr(code)


def half_width(kana: str) -> str:
    out = []
    for char in unicodedata.normalize("NFD", kana):
        if char == "\u3099":
            out.append("ﾞ")
        elif char == "\u309a":
            out.append("ﾟ")
        else:
            out.append(_HALF.get(char, char))
    return "".join(out)


def my_number(rng: random.Random) -> str:
    first = f"{rng.randrange(10**11):011d}"
    return first + str(check_digit(first))


def rows(count: int, seed: int = 4, first: int = 1_000_000_001) -> Iterator[list[str]]:
    """The data rows, one list of ten strings each, as a generator; 宛名番号 counts up from `first`."""
    rng = random.Random(seed)  # noqa: S311 (made-up data, reproducible on purpose)
    for n in range(count):
        surname, surname_kana = rng.choice(SURNAMES)
        given, given_kana, sex = rng.choice(GIVEN_NAMES)
        name = surname + rng.choice(("　", "　", " ")) + given
        kana = surname_kana + " " + given_kana
        if rng.random() < 0.7:
            kana = half_width(kana)
        year = rng.randrange(1930, 2020)
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        era = "昭和" if year < 1989 else "平成" if 1989 < year < 2019 else None
        if era and rng.random() < 0.6:
            born = f"{era}{year - ERAS[era] + 1}年{month}月{day}日"
        else:
            born = f"{year}/{month:02d}/{day:02d}" if rng.random() < 0.5 else f"{year}-{month:02d}-{day:02d}"
        town, postal = rng.choice(TOWNS)
        address = (f"東京都品川区{town}{rng.randrange(1, 7)}丁目{rng.randrange(1, 30)}番{rng.randrange(1, 20)}号"
                   + rng.choice(BUILDINGS).format(n=rng.randrange(101, 1200)))
        phone = (f"03-{rng.randrange(3000, 6000)}-{rng.randrange(10000):04d}" if rng.random() < 0.5
                 else f"0{rng.choice((70, 80, 90))}-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}")
        note = rng.choice(NOTES) if rng.random() < 0.1 else ""
        yield [str(first + n), name, kana, born, sex, postal, address, phone, my_number(rng), note]


def write(path: Path, count: int, seed: int = 4, first: int = 1_000_000_001) -> Path:
    """Write `count` rows (and the header) to `path` in CP932 with CRLF, as Excel saves it."""
    with path.open("w", encoding="cp932", newline="") as out:
        out.write(",".join(HEADER) + "\r\n")
        lines = []
        for row in rows(count, seed, first):
            lines.append(",".join(row))
            if len(lines) == 10_000:
                out.write("\r\n".join(lines) + "\r\n")
                lines.clear()
        if lines:
            out.write("\r\n".join(lines) + "\r\n")
    return path

"""Synthetic issuing bodies: realistic Chinese agency names from fixed lists, with a scale.

Names are built from invented place names (each with a romanised slug for file names)
and the usual bureau names, so that a synthetic report can never be mistaken for a
real agency's report while still reading like one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (place name, slug). Invented, but shaped like real prefecture-level cities.
CITIES: tuple[tuple[str, str], ...] = (
    ("云溪", "yunxi"), ("青岚", "qinglan"), ("临泽", "linze"), ("安澜", "anlan"),
    ("嘉禾", "jiahe"), ("桐川", "tongchuan"), ("松陵", "songling"), ("宁远", "ningyuan"),
    ("汀州", "tingzhou"), ("江岳", "jiangyue"), ("栖霞", "qixia"), ("瑞丰", "ruifeng"),
    ("湘平", "xiangping"), ("柳城", "liucheng"), ("望海", "wanghai"), ("清源", "qingyuan"),
    ("白鹭", "bailu"), ("泰和", "taihe"), ("兰溪", "lanxi"), ("丰宁", "fengning"),
    ("梅川", "meichuan"), ("凤台", "fengtai"), ("长汀", "changting"), ("永宁", "yongning"),
)
# County-level places; used as 县 or 区.
COUNTIES: tuple[tuple[str, str], ...] = (
    ("东湖", "donghu"), ("西林", "xilin"), ("南塘", "nantang"), ("北屿", "beiyu"),
    ("石门", "shimen"), ("平川", "pingchuan"), ("双桥", "shuangqiao"), ("金沙", "jinsha"),
    ("玉泉", "yuquan"), ("龙溪", "longxi"), ("新丰", "xinfeng"), ("古城", "gucheng"),
    ("东坡", "dongpo"), ("河口", "hekou"), ("三江", "sanjiang"), ("桃源", "taoyuan"),
    ("岭南", "lingnan"), ("鹤山", "heshan"), ("青竹", "qingzhu"), ("大洼", "dawa"),
    ("沙湾", "shawan"), ("安平", "anping"), ("莲花", "lianhua"), ("黄岗", "huanggang"),
)
TOWNS: tuple[tuple[str, str], ...] = (
    ("柏林", "bailin"), ("杨柳", "yangliu"), ("新桥", "xinqiao"), ("马鞍", "maan"),
    ("花园", "huayuan"), ("清泉", "qingquan"), ("石岭", "shiling"), ("白沙", "baisha"),
    ("红星", "hongxing"), ("太平", "taiping"), ("永安", "yongan"), ("长乐", "changle"),
    ("东山", "dongshan"), ("西河", "xihe"), ("高桥", "gaoqiao"), ("潭头", "tantou"),
    ("银杏", "yinxing"), ("竹园", "zhuyuan"), ("凤凰", "fenghuang"), ("双溪", "shuangxi"),
)
# Bureaus (name, slug); the slugs follow the pinyin abbreviations portals use in URLs.
BUREAUS: tuple[tuple[str, str], ...] = (
    ("人力资源和社会保障局", "rsj"), ("自然资源和规划局", "zrzyj"), ("生态环境局", "sthjj"),
    ("住房和城乡建设局", "zjj"), ("交通运输局", "jtysj"), ("市场监督管理局", "scjgj"),
    ("卫生健康委员会", "wjw"), ("教育局", "jyj"), ("财政局", "czj"), ("民政局", "mzj"),
    ("农业农村局", "nyncj"), ("水利局", "slj"), ("应急管理局", "yjglj"),
    ("退役军人事务局", "tyjrswj"), ("医疗保障局", "ybj"), ("统计局", "tjj"), ("审计局", "sjj"),
    ("司法局", "sfj"), ("商务局", "swj"), ("文化广电旅游局", "wglj"), ("林业局", "lyj"),
    ("发展和改革委员会", "fgw"), ("科学技术局", "kjj"), ("档案馆", "dag"),
)

# Agency levels in the order a batch cycles through them, so that even a batch of
# three agencies covers a city, a county and a township.
LEVEL_CYCLE = ("city_gov", "county_gov", "township", "city_bureau", "county_bureau",
               "county_bureau", "city_bureau", "township", "county_gov", "city_bureau")


@dataclass(frozen=True)
class Agency:
    name: str  # as the report's title prints it; equals the record's `agency`
    slug: str  # ASCII, for file names
    level: str  # city_gov | county_gov | township | city_bureau | county_bureau
    self_ref: str  # how the body text refers to itself (我市, 我局 …)
    portal: str  # the website the report says it publishes on
    publisher: str  # the office that posts the page (portal 发布机构)
    site: str  # the portal's name in page titles and headers

    @property
    def is_government(self) -> bool:
        """Governments at county level and above publish by 31 March, the rest by 31 January."""
        return self.level in ("city_gov", "county_gov")


def make_agencies(count: int, rng: random.Random) -> list[Agency]:
    """``count`` distinct agencies with a mix of levels, drawn from the fixed lists."""
    cities, counties, towns, bureaus = (rng.sample(lst, len(lst)) for lst in (CITIES, COUNTIES, TOWNS, BUREAUS))
    agencies: list[Agency] = []
    seen: set[str] = set()
    index = 0
    while len(agencies) < count:
        level = LEVEL_CYCLE[index % len(LEVEL_CYCLE)]
        # Walk the shuffled lists with different strides so names recombine after a full cycle.
        agency = _build(level, index, rng, cities, counties, towns, bureaus)
        index += 1
        if agency.name in seen or agency.slug in seen:
            continue
        seen.update((agency.name, agency.slug))
        agencies.append(agency)
        if index > count * 50 + 1000:  # the lists hold far more combinations than any batch needs
            raise ValueError(f"cannot make {count} distinct agency names")
    return agencies


def _pick(lst: list[tuple[str, str]], index: int, stride: int = 1) -> tuple[str, str]:
    return lst[(index * stride + index // len(lst)) % len(lst)]


def _build(level: str, index: int, rng: random.Random, cities: list, counties: list,
           towns: list, bureaus: list) -> Agency:
    city, city_slug = _pick(cities, index)
    county, county_slug = _pick(counties, index, 3)
    town, town_slug = _pick(towns, index, 7)
    bureau, bureau_slug = _pick(bureaus, index, 5)
    county_kind = "区" if COUNTIES.index((county, county_slug)) % 2 else "县"  # a place is always one or the other
    county_slug += "qu" if county_kind == "区" else "xian"
    city_site, county_site = f"{city}市人民政府", f"{county}{county_kind}人民政府"
    city_portal, county_portal = f"“{city_site}”门户网站", f"{county_site}网站"
    if level == "city_gov":
        return Agency(f"{city}市人民政府", f"{city_slug}-gov", level, "我市", city_portal,
                      f"{city}市人民政府办公室", city_site)
    if level == "county_gov":
        name = f"{city}市{county}区人民政府" if county_kind == "区" and rng.random() < 0.5 else county_site
        return Agency(name, f"{county_slug}-gov", level, "我" + county_kind, county_portal,
                      f"{county_site}办公室", county_site)
    if level == "township":
        kind = rng.choice(("镇", "镇", "乡", "街道"))
        suffix = "办事处" if kind == "街道" else "人民政府"
        prefix = f"{county}{county_kind}" if rng.random() < 0.6 else ""
        slug_kind = {"镇": "zhen", "乡": "xiang", "街道": "jd"}[kind]
        self_ref = {"镇": "我镇", "乡": "我乡", "街道": "我街道"}[kind]
        return Agency(f"{prefix}{town}{kind}{suffix}", f"{town_slug}{slug_kind}-{county_slug}", level,
                      self_ref, county_portal, f"{town}{kind}{suffix}", county_site)
    self_ref = "我委" if bureau.endswith("委员会") else "我馆" if bureau.endswith("馆") else "我局"
    if level == "city_bureau":
        return Agency(f"{city}市{bureau}", f"{city_slug}-{bureau_slug}", level, self_ref, city_portal,
                      f"{city}市{bureau}", city_site)
    place = f"{city}市{county}区" if county_kind == "区" else f"{county}县"
    return Agency(f"{place}{bureau}", f"{city_slug}-{county_slug}-{bureau_slug}", level, self_ref,
                  county_portal, f"{place}{bureau}", county_site)

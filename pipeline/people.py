"""People in credits, bylines and text: the one list of positions, and the one splitter of a credit into people.

The parser reads a credit's people with it (`中共北京市怀柔区委书记 郭延红` → 郭延红, with that position), the
gov_portal_text format reads a speaker's byline with its titles, and the officials layer finds an official where
one of its titles stands before a name. One list, so a title added here is read the same way in all three.
"""

from __future__ import annotations

import re

from pipeline.text import split_words

# Titles of an office (`区委书记郭延红`, `省长王正谱`): whoever holds one is an official. The organisation printed
# before a title is part of the position.
OFFICIAL_TITLES: tuple[str, ...] = (
    "党组书记", "副书记", "书记", "常务副主任", "副主任", "主任", "副委员长", "委员长", "副主席", "主席",
    "常务副省长", "副省长", "省长", "常务副市长", "副市长", "市长", "副区长", "区长", "副县长", "县长",
    "副部长", "部长", "副局长", "局长", "副厅长", "厅长", "秘书长", "副院长", "院长", "检察长", "州长", "盟长",
)  # fmt: skip
# Other words a position or an affiliation ends with: their holder is not counted as an official (a deputy, a
# reporter, a professor, a manager, a township head or a section chief).
OTHER_POSITIONS: tuple[str, ...] = (
    "委员", "代表", "处长", "科长", "镇长", "乡长", "庭长", "记者", "通讯员", "主编", "社长", "研究员", "教授",
    "会长", "理事长", "董事长", "经理", "组长", "队长", "干部", "工作人员", "作者", "评论员", "撰稿人",
)  # fmt: skip
# Every position: a credit token ending in one of them is a position or an affiliation, not a name.
POSITIONS: tuple[str, ...] = OFFICIAL_TITLES + OTHER_POSITIONS
# The official titles as one regex alternative, longest first.
OFFICIAL_TITLE = "(?:" + "|".join(sorted(OFFICIAL_TITLES, key=len, reverse=True)) + ")"

# Words a byline prints after the names that are what the people did, not people (`记者陈智 整合`).
CREDIT_VERBS = frozenset(("整合", "综合", "编译", "整理", "报道", "采写", "供稿", "摄", "文", "图", "等"))
NAME_MAX_CHARS = 4
PEOPLE_SEPARATORS = re.compile(r"[、,，;；/&＆]+")


def looks_like_position(token: str) -> bool:
    return token.endswith(POSITIONS) or len(token) > NAME_MAX_CHARS + 2


def pair_padded(tokens: list[str]) -> list[str]:
    """Newspapers pad a two-character name to the width of three (`李  鹤`): a run of an even number of single Han
    characters is that many names of two. Other tokens pass through."""
    paired: list[str] = []
    run: list[str] = []

    def close() -> None:
        if len(run) >= 2 and len(run) % 2 == 0:
            paired.extend(run[i] + run[i + 1] for i in range(0, len(run), 2))
        else:
            paired.extend(run)
        run.clear()

    for token in tokens:
        if len(token) == 1 and "\u4e00" <= token <= "\u9fff":
            run.append(token)
        else:
            close()
            paired.append(token)
    close()
    return paired


def split_people(value: str) -> list[tuple[str, str | None]]:
    """(name, position) pairs from a credit value: `中共北京市怀柔区委书记 郭延红` → [(郭延红, 中共…书记)]."""
    people: list[tuple[str, str | None]] = []
    for part in PEOPLE_SEPARATORS.split(value):
        tokens = [token for token in pair_padded(split_words(part)) if token not in CREDIT_VERBS]
        if not tokens:
            continue
        position_tokens: list[str] = []
        named = False
        for token in tokens:
            if looks_like_position(token):
                if named:  # a new position after names starts a new group
                    position_tokens, named = [], False
                position_tokens.append(token)
            else:
                # `单位 张明 李红`: the affiliation printed before several names applies to each of them
                people.append((token, " ".join(position_tokens) or None))
                named = True
        if position_tokens and not named and not people:
            people.append((position_tokens[-1], " ".join(position_tokens[:-1]) or None))
    return people


def split_names(value: str) -> list[str]:
    """Names from an editor-like credit: split on 、 , ， ; / & and whitespace."""
    return [name for part in PEOPLE_SEPARATORS.split(value) for name in pair_padded(split_words(part))]

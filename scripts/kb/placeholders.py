"""Placeholders in replies, e.g. {称呼} or {产品}: which exist, where their values come from,
and the check that a reply names only known ones (a file:line error otherwise).

The copy buttons (book/_static/reply.js) fill them: `setting` ones from 我的设置 (saved on
the rep's phone), `product` ones from the product the rep picks among the script's
related_products. A reply is never copied with a placeholder left unfilled."""
from __future__ import annotations

import re

from .model import Content, Item
from .i18n import _
from .problems import Problem

# name -> where the value comes from, and the label shown to the rep
PLACEHOLDERS = {
    "称呼": {"from": "setting", "label": "对客户的称呼", "example": "王姐"},
    "顾问": {"from": "setting", "label": "我的名字", "example": "小林"},
    "产品": {"from": "product", "label": "产品名称", "field": "name"},
    "规格": {"from": "product", "label": "产品规格", "field": "spec"},
    "价格": {"from": "product", "label": "产品价格", "field": "price"},
}
# A placeholder is a short name with Chinese characters in braces; other braces ({raw}, JSON,
# {{ … }}) are ordinary text and stay as written.
PATTERN = re.compile(r"\{([^{}\s]{0,11}[\u3400-\u9fff][^{}\s]{0,11})\}")
# fields of a script whose text is sent to customers
SENT_FIELDS = (("response", "text"),)


def product_fills(product: Item) -> dict[str, str]:
    price = product.data.get("price") or {}
    amount = price.get("amount")
    shown = f"{amount:g}" if isinstance(amount, float) else str(amount)
    return {"产品": product.title, "规格": str(price.get("spec", "")), "价格": f"{shown}元" if amount is not None else ""}


def names_in(text: str) -> list[str]:
    return PATTERN.findall(text)


def check_placeholders(content_items: dict[str, Item]) -> list[Problem]:
    """Every {…} in a script's reply must be a known placeholder, and product placeholders
    need at least one related product to take the values from."""
    problems = []
    for item in content_items.values():
        if item.kind != "script":
            continue
        for path in SENT_FIELDS:
            text = item.data
            for key in path:
                text = text.get(key) if isinstance(text, dict) else None
            if not isinstance(text, str):
                continue
            where = ".".join(path)
            for name in dict.fromkeys(names_in(text)):
                shown = "{" + name + "}"
                if name in PLACEHOLDERS and (PLACEHOLDERS[name]["from"] != "product" or item.data.get("related_products")):
                    continue
                # only now: a clean file's positions are parsed again only when it has a problem
                line, column = item.position(path)
                if name not in PLACEHOLDERS:
                    problems.append(Problem(item.file, line, column, where, _("unknown placeholder {placeholder}").format(placeholder=shown),
                                            _("known placeholders: {names}; check the spelling, or write the text without braces").format(
                                                names=", ".join("{" + n + "}" for n in PLACEHOLDERS))))
                else:           # a product placeholder in a script without products
                    problems.append(Problem(item.file, line, column, where,
                                            _("placeholder {placeholder} needs a product, received a script without related_products").format(placeholder=shown),
                                            _("list the products this reply is for under related_products, or write the reply without it")))
    return problems


def used_in(content: Content) -> set[str]:
    return {name for item in content.of_kind("script") for name in names_in(item.data["response"]["text"])}

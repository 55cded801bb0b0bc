"""A figure answer as a small typed program over facts.

A question is first cut into its asks (`split_asks`: `实际花了多少？年初预算又是多少？`, `预算和决算分别是多少`,
`接待费和公车分别多少`); each ask becomes one program. A program is an operation over operands, every operand a
cited fact or a derived value that carries its own formula; `execute` computes it deterministically in `Decimal`
and returns the value with the formula shown to the reader. The structured engine builds programs, the executor
computes them, and the verifier re-derives the same formulas from the cited facts."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from core.numbers import fmt

Op = Literal["lookup", "sum", "diff", "ratio", "growth", "per_head", "convert", "prev_year", "max", "min"]

# clause-level cues: a clause that asks something of its own, and one that only asks to check the answer
_ASKS = re.compile(r"多少|几|是否|是不是|有没有|有[\u4e00-\u9fa5]{1,6}吗|哪|什么|干嘛|怎么|为什么|为啥|占|呢|多大|比例|比重|各|分别|排|对比|比较|比一比")
_CHECK_ONLY = re.compile(r"^(?:报告写的.*|两份报告|和总数|是不是|前后)?.{0,12}(?:对吗|对不对|对得上吗?|一致吗|准吗)$")
_CLAUSE = re.compile(r"(?<=[？?；;!！])|(?<=[，,])(?=[^，,]*(?:多少|几|哪|什么|干嘛|占|呢|吗)|是不是|是否)")
_COLUMN_PAIR = re.compile(r"(年初预算|全年预算|预算数|决算数|预算|决算|执行数)(?:数)?[和与及、](年初预算|全年预算|预算数|决算数|预算|决算|执行数)(?:数)?(?=分别|各)")
_NOUN_PAIR = re.compile(r"([\u4e00-\u9fa5]{2,10})[和与、]([^\W\d_的]{2,6}?)(?=分别|各|对比|比较|(?:是|有|为)?多少|[？?]?$)")
_JUXTAPOSED = re.compile(r"([\u4e00-\u9fa5]{4,8}?)(?=(?:各|分别)(?:是|有)?(?:多少|几))")
_COMBINES = re.compile(r"合计|之和|加起来|总和|一共|共计|相差|差额|差多少|哪个|谁|(?<!对)比(?![例重较])|占|上年|增长|下降|增幅")
_NOT_NOUN = {"的", "里", "了", "多少", "是", "和", "有", "个", "各", "几", "那个", "这个"}


def split_asks(text: str, known: Callable[[str], bool] | None = None) -> list[str]:
    """The asks of one question, each a self-contained clause (later clauses are read in the context of the
    earlier ones, like a follow-up). Clauses that only ask to check the figure (`报告写的98%对吗？`) are not asks:
    the answer already shows the printed and the recomputed figure."""
    parts = [p.strip() for p in _CLAUSE.split(text) if p and p.strip("，,？?；; ")]
    clauses: list[str] = []
    lead = ""  # words before the first ask (一般公共预算财政拨款基本支出里，…) belong to it
    for p in parts:
        body = p.rstrip("？?；;!！，, ")
        if clauses and _CHECK_ONLY.match(body):
            continue
        if not _ASKS.search(body):
            if clauses:
                clauses[-1] = clauses[-1].rstrip("？?；;!！，, ") + "，" + p  # context for the ask before it
            else:
                lead += p
        else:
            clauses.append(lead + p)
            lead = ""
    if lead:
        clauses.append(lead)
    out: list[str] = []
    for c in clauses or [text]:
        out += _expand_pairs(c, known)
    return out


def _expand_pairs(clause: str, known: Callable[[str], bool] | None = None) -> list[str]:
    """`预算和决算分别是多少` → one ask per column kind; `接待费和公车分别多少` → one ask per noun — unless the
    reports print `X和Y` as one name (年初结转和结余, 社会保障和就业支出): `known` says so."""
    m = _COLUMN_PAIR.search(clause)
    if m:
        return [clause[:m.start()] + w + clause[m.end():] for w in (m.group(1), m.group(2))]
    m = _NOUN_PAIR.search(clause)
    if not m and known:  # 城区农村各多少: two words the reports know, written side by side
        j = _JUXTAPOSED.search(clause)
        if j:
            from core.lexicon import tokenizer

            words = tokenizer().lcut(j.group(1))
            if len(words) == 2 and all(len(w) >= 2 and known(w) for w in words) and not known(j.group(1)):
                return [clause[:j.start(1)] + w + clause[j.end(1):] for w in words]
    if m and _COMBINES.search(clause):
        m = None  # 基本支出和项目支出合计多少 / 哪个多: one program over both, not two asks
    if m and not (m.end() == len(clause.rstrip("？?")) and not re.search(r"多少|几", clause[:m.start(2)])):
        from core.lexicon import tokenizer

        words = tokenizer().lcut(m.group(1))
        first = ""
        while words and len(first) < len(m.group(2)) and words[-1] not in _NOT_NOUN:
            first = words.pop() + first  # as many trailing words as the second item is long: 人口信息 ↔ 房屋信息
        if len(first) < 2 or (known and known(clause[m.end(1) - len(first):m.end()])):
            return [clause]
        head = clause[:m.start(1)] + m.group(1)[:len(m.group(1)) - len(first)]
        tail = clause[m.end():]
        return [head + first + tail, head + m.group(2) + tail]
    return [clause]


class Operand(BaseModel):
    """A value the program uses: a cited fact, or a derived value with its own formula."""

    value: Decimal
    unit: str = ""
    decimals: int = 2
    label: str = Field("", description="What it is, in words: 公开07表“三公”经费支出决算表 合计/决算数")
    fact_id: str | None = None
    citation: int | None = None
    formula: str | None = Field(None, description="How a derived operand was obtained")

    def shown(self) -> str:
        return f"{fmt(self.value, self.decimals)}{self.unit}"


class Program(BaseModel):
    op: Op
    operands: list[Operand]
    sign: int = Field(1, description="prev_year: +1 when the report says 增加, −1 for 减少")
    factor: Decimal = Decimal(10000)


class Result(BaseModel):
    value: Decimal | None
    unit: str
    formula: str
    derived: bool


def execute(p: Program) -> Result:
    """Run a program: every arithmetic step in Decimal, the formula written with the operands as printed."""
    ops = p.operands
    if not ops:
        raise ValueError("a program needs at least one operand")
    a = ops[0]
    if p.op == "lookup":
        return Result(value=a.value, unit=a.unit, formula=a.formula or a.shown(), derived=a.formula is not None)
    if p.op == "sum":
        return Result(value=sum((o.value for o in ops), Decimal(0)), unit=a.unit,
                      formula=" + ".join(o.shown() for o in ops), derived=True)
    if p.op in ("max", "min"):
        pick = max(ops, key=lambda o: o.value) if p.op == "max" else min(ops, key=lambda o: o.value)
        return Result(value=pick.value, unit=pick.unit, formula=f"{p.op}({', '.join(o.shown() for o in ops)})",
                      derived=False)
    if p.op == "convert":
        return Result(value=a.value * p.factor, unit="元", formula=f"{a.shown()} × {fmt(p.factor, 0)}", derived=True)
    if len(ops) < 2:
        raise ValueError(f"{p.op} needs two operands")
    b = ops[1]
    if p.op == "diff":
        return Result(value=a.value - b.value, unit=a.unit, formula=f"{a.shown()} − {b.shown()}", derived=True)
    if p.op == "prev_year":  # this year's value and the change the report states (比上年增加/减少)
        value = a.value - b.value if p.sign > 0 else a.value + b.value
        sign = "−" if p.sign > 0 else "+"
        return Result(value=value, unit=a.unit, formula=f"{a.shown()} {sign} {b.shown()}", derived=True)
    if p.op == "ratio":
        ratio = a.value / b.value if b.value else None
        return Result(value=ratio, unit="ratio", formula=f"{a.shown()} ÷ {b.shown()}", derived=True)
    if p.op == "growth":
        rate = (a.value - b.value) / b.value if b.value else None
        return Result(value=rate, unit="ratio", formula=f"({a.shown()} − {b.shown()}) ÷ {b.shown()}", derived=True)
    if p.op == "per_head":
        each = a.value / b.value if b.value else None
        return Result(value=each, unit=a.unit, formula=f"{a.shown()} ÷ {b.shown()}", derived=True)
    raise ValueError(f"unknown op {p.op}")

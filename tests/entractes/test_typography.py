from django.template import Context, Template

from entractes.lib import typography

THIN, NBSP = "\u202f", "\u00a0"


def test_thousands_are_grouped_by_a_narrow_no_break_space():
    assert typography.number(6900) == f"6{THIN}900"
    assert typography.number(76226) == f"76{THIN}226"
    assert typography.number(1234567) == f"1{THIN}234{THIN}567"
    assert typography.number(368) == "368"
    assert typography.number(0) == "0"


def test_decimals_take_a_comma_and_nothing_prints_a_dash():
    assert typography.number(4.5) == "4,5"
    assert typography.number(12.345) == "12,35"
    assert typography.number(2.0) == "2"
    assert typography.number(1234.5, 2) == f"1{THIN}234,50"
    assert typography.number(None) == "—"
    assert typography.number(-1234) == f"\u22121{THIN}234"


def test_shares_are_percentages_with_a_no_break_space():
    assert typography.percent(0.58) == f"58{NBSP}%"
    assert typography.percent(0.115) == f"12{NBSP}%"  # half up, as people round
    assert typography.percent(1.0) == f"100{NBSP}%"
    assert typography.percent(0.583, 1) == f"58,3{NBSP}%"
    assert typography.percent(None) == "—"


def test_changes_are_signed_with_a_true_minus():
    assert typography.change(7.0) == f"+7{NBSP}%"
    assert typography.change(-3.2) == f"\u22123{NBSP}%"
    assert typography.change(0.4) == f"+0,4{NBSP}%"
    assert typography.change(0) == f"0{NBSP}%"
    assert typography.change(1250.0) == f"+1{THIN}250{NBSP}%"
    assert typography.change(None) == ""


def test_amounts_in_euros():
    assert typography.euros(1234) == f"1{THIN}234{NBSP}€"
    assert typography.euros(343.2) == f"343,20{NBSP}€"
    assert typography.euros(None) == "—"


def test_a_value_prints_as_its_unit_asks():
    assert typography.value(0.58, "share") == f"58{NBSP}%"
    assert typography.value(607, "euros") == f"607{NBSP}€"
    assert typography.value(9364, "quantity") == f"9{THIN}364"


def test_template_filters():
    template = Template(
        "{% load typography %}{{ n|fr_number }}|{{ s|fr_percent }}|{{ c|fr_change }}|"
        "{{ a|fr_euros }}|{{ s|fr_value:'share' }}|{{ n|fr_value }}"
    )
    text = template.render(Context({"n": 6900, "s": 0.58, "c": -3.0, "a": 1234}))
    assert text == (f"6{THIN}900|58{NBSP}%|\u22123{NBSP}%|1{THIN}234{NBSP}€|58{NBSP}%|6{THIN}900")

from conftest import mint


def test_pay_refund_close(till, clock):
    r = till.pay(12000, mint(int(clock())))
    assert r.accepted
    till.refund(r.entry["id"], 2000, "반찬 추가 취소")
    c = till.close_day()
    assert (c["count"], c["payments"], c["refunds"], c["net"]) == (1, 12000, 2000, 10000)
    assert till.journal.verify().ok

"""gutbrain.models.meta_analysis against published results and independent arithmetic."""
import math

import numpy as np
import pytest

from gutbrain.models import meta_analysis as ma

# Kacker 2004 example as used in statsmodels' own tests (statsmodels/stats/tests/results/
# results_meta.py), with the pooled values R's metafor gives (rma, methods FE, DL and PM).
KACKER_Y = [61.00, 61.40, 62.21, 62.30, 62.34, 62.60, 62.70, 62.84, 65.90]
KACKER_V = [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]
METAFOR = {
    "fixed": dict(b=62.5833970939982, se=0.107845705498231, ci=(62.3720233953344, 62.7947707926621), tau2=0.0),
    "random-dl": dict(b=62.3901386044504, se=0.245749668040304, ci=(61.9084781058787, 62.8717991030221),
                      tau2=0.288049246973751),
    "random-pm": dict(b=62.4076199113286, se=0.338030602684471, ci=(61.7450921043947, 63.0701477182625),
                      tau2=0.705395309224248),
}
METAFOR_QE, METAFOR_I2_DL = 24.801897741835, 67.744403741711


@pytest.mark.parametrize("method", list(METAFOR))
def test_pool_reproduces_metafor_on_kacker_2004(method):
    res = ma.pool(estimates=KACKER_Y, variances=KACKER_V, method=method)
    ref = METAFOR[method]
    assert res.estimate == pytest.approx(ref["b"], abs=1e-8)
    assert res.se == pytest.approx(ref["se"], abs=1e-7)
    assert (res.ci_low, res.ci_high) == pytest.approx(ref["ci"], abs=1e-7)
    assert res.tau2 == pytest.approx(ref["tau2"], abs=1e-7)
    assert res.q == pytest.approx(METAFOR_QE, abs=1e-8) and res.df == 8
    assert res.i2_percent == pytest.approx(METAFOR_I2_DL, abs=1e-6)
    assert sum(res.weights) == pytest.approx(1.0)


def test_smd_matches_metafor_escalc_and_meta_on_the_applied_meta_analysis_example():
    # Chen & Peace (2013) example used in statsmodels' tests; yi from metafor escalc / meta metacont.
    data = [(94, 22, 60, 92, 20, 60), (98, 21, 65, 92, 22, 65), (98, 28, 40, 88, 26, 40),
            (94, 19, 200, 82, 17, 200), (98, 21, 50, 88, 22, 45), (96, 21, 85, 92, 22, 85)]
    yi = [0.09452437336063831, 0.27735640148036095, 0.36654634845797818, 0.66438509989113559,
          0.46180797677414176, 0.18516464424648887]
    vi = [0.03337182573880991, 0.03107434965484927, 0.05088322525353587, 0.01055724834741877,
          0.04339324466573324, 0.02363264537147130]
    for row, y, v in zip(data, yi, vi):
        g, se = ma.smd(*row)
        assert g == pytest.approx(y, rel=1e-12) and se ** 2 == pytest.approx(v, rel=1e-12)


def test_fixed_effect_equals_inverse_variance_arithmetic_by_hand():
    y = [-0.5, -0.1, 0.2, -0.3]
    se = [0.3, 0.2, 0.25, 0.15]
    w = [1 / s ** 2 for s in se]
    est = sum(wi * yi for wi, yi in zip(w, y)) / sum(w)
    q = sum(wi * (yi - est) ** 2 for wi, yi in zip(w, y))
    c = sum(w) - sum(wi ** 2 for wi in w) / sum(w)
    tau2 = max(0.0, (q - 3) / c)
    res_fe = ma.pool([ma.Effect(str(i), a, b) for i, (a, b) in enumerate(zip(y, se))], method="fixed")
    assert res_fe.estimate == pytest.approx(est) and res_fe.se == pytest.approx(1 / math.sqrt(sum(w)))
    assert res_fe.q == pytest.approx(q)
    res_dl = ma.pool(estimates=y, variances=[s ** 2 for s in se], method="random-dl")
    assert res_dl.tau2 == pytest.approx(tau2)
    wr = [1 / (s ** 2 + tau2) for s in se]
    assert res_dl.estimate == pytest.approx(sum(a * b for a, b in zip(wr, y)) / sum(wr))


def test_negative_dl_tau2_is_truncated_and_random_equals_fixed():
    y, v = [0.10, 0.11, 0.09], [0.04, 0.05, 0.06]  # Q far below its df
    dl, fe = ma.pool(estimates=y, variances=v, method="random-dl"), ma.pool(estimates=y, variances=v, method="fixed")
    assert dl.tau2 == 0.0 and dl.i2 == 0.0
    assert dl.estimate == pytest.approx(fe.estimate) and dl.se == pytest.approx(fe.se)
    pm = ma.pool(estimates=y, variances=v, method="random-pm")
    assert pm.tau2 == 0.0


def test_single_study_and_bad_input():
    one = ma.pool([ma.Effect("a", -0.4, 0.2)])
    assert one.k == 1 and one.estimate == -0.4 and one.ci_low == pytest.approx(-0.4 - 1.959964 * 0.2, abs=1e-6)
    with pytest.raises(ValueError, match="nothing to pool"):
        ma.pool([])
    with pytest.raises(ValueError, match="unknown method"):
        ma.pool([ma.Effect("a", 0, 1)], method="bayes")
    with pytest.raises(ValueError, match="positive SE"):
        ma.Effect("a", 0.0, 0.0)


def test_se_from_ci_and_p_back_calculation():
    # Ng 2018 as published: SMD -0.128 (95% CI -0.261 to 0.00463), P = 0.059.
    se = ma.se_from_ci(-0.261, 0.00463)
    assert se == pytest.approx(0.0678, abs=5e-4)
    assert ma.p_from_estimate(-0.128, se) == pytest.approx(0.059, abs=0.003)
    assert ma.ci_midpoint_gap(0.39, 0.19, 1.37) == pytest.approx(-0.39)


def test_mean_difference_and_pooled_sd():
    md, se = ma.mean_difference(-5.7, 6.4, 20, -1.5, 4.8, 20)
    assert md == pytest.approx(-4.2) and se == pytest.approx(math.sqrt(6.4 ** 2 / 20 + 4.8 ** 2 / 20))
    assert ma.pooled_sd(6.4, 20, 4.8, 20) == pytest.approx(math.sqrt((6.4 ** 2 + 4.8 ** 2) / 2))


def test_leave_one_out_cumulative_and_subgroups():
    effects = [ma.Effect("A", -0.8, 0.3, 2016, "x"), ma.Effect("B", -0.1, 0.1, 2017, "y"),
               ma.Effect("C", -0.4, 0.2, 2015, "x"), ma.Effect("D", 0.0, 0.15, 2019, "y")]
    loo = ma.leave_one_out(effects, "fixed")
    assert [e.label for e, _ in loo] == ["A", "B", "C", "D"]
    assert loo[0][1].k == 3 and loo[0][1].estimate == pytest.approx(ma.pool(effects[1:], method="fixed").estimate)
    cum = ma.cumulative(effects, "fixed")
    assert [e.label for e, _ in cum] == ["C", "A", "B", "D"] and [r.k for _, r in cum] == [1, 2, 3, 4]
    sub = ma.subgroups(effects, "fixed")
    assert set(sub.groups) == {"x", "y"} and sub.df_between == 1
    x, y = sub.groups["x"], sub.groups["y"]
    w = [1 / x.se ** 2, 1 / y.se ** 2]
    mean = (w[0] * x.estimate + w[1] * y.estimate) / sum(w)
    assert sub.q_between == pytest.approx(w[0] * (x.estimate - mean) ** 2 + w[1] * (y.estimate - mean) ** 2)


def test_egger_regression_matches_least_squares_by_hand():
    y = np.array([-0.9, -0.6, -0.4, -0.2, -0.15, -0.1])
    se = np.array([0.45, 0.35, 0.25, 0.15, 0.1, 0.08])
    res = ma.egger_test(estimates=y, ses=se)
    design = np.column_stack([np.ones_like(se), 1 / se])
    coef, *_ = np.linalg.lstsq(design, y / se, rcond=None)
    assert (res.intercept, res.slope) == pytest.approx(tuple(coef))
    assert res.df == 4 and res.intercept < 0 and res.p < 0.05
    with pytest.raises(ValueError, match="at least 3"):
        ma.egger_test(estimates=[0.1, 0.2], ses=[0.1, 0.2])


def test_what_an_smd_means():
    assert ma.probability_of_superiority(0.0) == pytest.approx(0.5)
    assert ma.probability_of_superiority(1.0) == pytest.approx(0.7602, abs=1e-4)  # Φ(1/√2)
    assert ma.overlap_coefficient(0.0) == pytest.approx(1.0)
    assert ma.overlap_coefficient(-0.5) == pytest.approx(0.8026, abs=1e-4)  # 2Φ(−0.25)
    assert ma.smd_to_points(-0.3, 5.0) == pytest.approx(-1.5)


def test_plain_language_reading():
    res = ma.pool(estimates=[-0.4, -0.3, -0.5], variances=[0.01, 0.02, 0.015], method="random-dl")
    text = ma.describe_pooled(res)
    assert "3 studies" in text and "side of benefit" in text and "I² =" in text
    null = ma.pool(estimates=[-0.1, 0.1], variances=[0.04, 0.04], method="fixed")
    assert "includes 0" in ma.describe_pooled(null)

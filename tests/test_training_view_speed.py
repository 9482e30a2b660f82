"""The training view's speed control (review finding 8): a class watches the early learning.

Play trains at the steps per second chosen (1, 5, 20, 100 or max; 20 unless changed),
not as fast as the machine can; max keeps the engine's own speed.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.support.ui import Select

from .test_browser import by_testid, wait_for
from .test_training_view_browser import browser, frames, steps  # noqa: F401 - a fixture


def test_play_trains_at_the_chosen_speed(browser, server):  # noqa: F811
    browser.get(server.url + "#train")
    wait_for(lambda: frames(browser) >= 1, "the run's first frame", 60)
    speed = Select(by_testid(browser, "train-speed"))
    assert speed.first_selected_option.get_attribute("value") == "20"  # the default: moons learns in ~10-20 s
    assert [o.get_attribute("value") for o in speed.options] == ["1", "5", "20", "100", "max"]
    speed.select_by_value("5")
    by_testid(browser, "train-play").click()
    wait_for(lambda: steps(browser) >= 2, "the first steps", 30)
    time.sleep(2.0)
    by_testid(browser, "train-pause").click()
    time.sleep(0.5)
    # 5 steps a second: about 12 in 2.5 s; never the thousands the engine could do meanwhile
    assert 2 <= steps(browser) <= 25

package lab_test

import (
	"context"
	"github.com/autopilotsim/autopilotsim/internal/browsertest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var (
	chromium      = browsertest.Chromium
	screenshotDir = browsertest.ScreenshotDir("LAB_SCREENSHOTS", "autopilotsim-lab-screenshots-")
)

var _ = Describe("the console in a headless browser", func() {
	It("powers a device on from the page, jumps the clock from the page, and shows the device hybrid joined with its timeline", func() {
		path := chromium()
		l := startLab(1)
		var (
			mu       sync.Mutex
			requests []string
		)
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
			chromedp.WindowSize(1400, 1100), chromedp.Flag("hide-scrollbars", true))
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		DeferCleanup(acancel)
		ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
			if e, ok := ev.(*network.EventRequestWillBeSent); ok {
				mu.Lock()
				requests = append(requests, e.Request.URL)
				mu.Unlock()
			}
		}))
		DeferCleanup(cancel)
		// The first call starts the browser and must get ctx itself.
		Expect(chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{})
			return err
		}))).To(Succeed())

		step := func(actions ...chromedp.Action[chromedp.Void]) {
			tctx, tcancel := context.WithTimeout(ctx, 30*time.Second)
			defer tcancel()
			Expect(chromedp.Do(tctx, actions...)).To(Succeed())
		}
		value := func(a chromedp.Action[string]) string {
			tctx, tcancel := context.WithTimeout(ctx, 30*time.Second)
			defer tcancel()
			v, err := chromedp.Run(tctx, a)
			Expect(err).NotTo(HaveOccurred())
			return v
		}
		shoot := func(name string) {
			tctx, tcancel := context.WithTimeout(ctx, 30*time.Second)
			defer tcancel()
			png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
			Expect(err).NotTo(HaveOccurred())
			p := filepath.Join(screenshotDir(), name+".png")
			Expect(os.WriteFile(p, png, 0o644)).To(Succeed())
			GinkgoWriter.Printf("screenshot: %s\n", p)
		}
		powerOn := `#fleet button[data-op="powerOn"][data-serial="LAB0001"]`
		step(chromedp.Navigate(l.ConsoleURL()), chromedp.WaitVisible(chromedp.CSS(powerOn)))
		shoot("console-start")

		Expect(l.Pause()).To(Succeed())
		step(chromedp.Click(chromedp.CSS(powerOn)), chromedp.WaitVisible(chromedp.CSS(`#fleet button[data-op="reset"][data-serial="LAB0001"]`)))
		Expect(device(l, "LAB0001").PoweredOn).To(BeTrue(), "the page's click went through the control API into the world")

		step(chromedp.SetValue(chromedp.CSS(`#advance`), "2h"), chromedp.Click(chromedp.CSS(`#jump`)),
			chromedp.WaitVisible(chromedp.CSS(`#fleet tr[data-serial="LAB0001"] .o-hybridJoined`)),
			chromedp.WaitVisible(chromedp.CSS(`#detail .timeline`)))
		Expect(value(chromedp.Text(chromedp.CSS(`#detail .timeline`)))).To(ContainSubstring("powerOn"))
		Expect(value(chromedp.Text(chromedp.CSS(`#clock`)))).To(ContainSubstring("PAUSED"))
		shoot("console-joined")

		mu.Lock()
		defer mu.Unlock()
		for _, u := range requests {
			Expect(strings.HasPrefix(u, l.URL()) || strings.HasPrefix(u, "data:")).To(BeTrue(), "the console loads nothing from elsewhere: %s", u)
		}
	})
})

package main

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// bar is one row of the chart.
type bar struct {
	Label string
	Value float64 // events/s
	Kind  string  // "topology", "hand", "stage" or "reference": picks the colour
}

var barColours = map[string]color.RGBA{
	"topology":  {0x2b, 0x6c, 0xb0, 0xff},
	"hand":      {0x9a, 0xa5, 0xb1, 0xff},
	"stage":     {0x3d, 0x9a, 0x5b, 0xff},
	"reference": {0xc0, 0x39, 0x2b, 0xff},
	"target":    {0xe6, 0x7e, 0x22, 0xff},
}

// drawChart writes a horizontal bar chart of events/s on a log scale
// (the figures span three orders of magnitude), with a dashed line at
// target, as PNG.
func drawChart(w io.Writer, title string, bars []bar, target float64) error {
	const (
		labelW = 330
		plotW  = 520
		rowH   = 22
		top    = 40
		bottom = 40
		right  = 110
	)
	face := basicfont.Face7x13
	width := labelW + plotW + right
	height := top + len(bars)*rowH + bottom
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	text := func(x, y int, s string, c color.Color) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
		d.DrawString(strings.ReplaceAll(s, "→", "->")) // the face is ASCII only
	}
	textW := func(s string) int { return font.MeasureString(face, strings.ReplaceAll(s, "→", "->")).Ceil() }

	// Decades from the smallest to the largest value.
	lo, hi := math.Inf(1), 0.0
	for _, b := range bars {
		if b.Value > 0 {
			lo, hi = math.Min(lo, b.Value), math.Max(hi, b.Value)
		}
	}
	if target > 0 {
		lo, hi = math.Min(lo, target), math.Max(hi, target)
	}
	if hi == 0 {
		lo, hi = 1, 10
	}
	dLo, dHi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dHi == dLo {
		dHi++
	}
	xOf := func(v float64) int {
		if v <= 0 {
			return labelW
		}
		return labelW + int(float64(plotW)*(math.Log10(v)-dLo)/(dHi-dLo))
	}

	text(10, 20, title, color.Black)
	grey := color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	for d := dLo; d <= dHi; d++ {
		x := xOf(math.Pow(10, d))
		for y := top - 5; y < height-bottom+5; y++ {
			img.Set(x, y, grey)
		}
		s := humanize(math.Pow(10, d))
		text(x-textW(s)/2, height-bottom+20, s, color.Black)
	}
	text(labelW, height-6, "events/s (log scale)", color.Gray{0x55})
	for i, b := range bars {
		y := top + i*rowH
		text(labelW-8-textW(b.Label), y+15, b.Label, color.Black)
		x1 := xOf(b.Value)
		draw.Draw(img, image.Rect(labelW, y+3, max(x1, labelW+1), y+rowH-3), image.NewUniform(barColours[b.Kind]), image.Point{}, draw.Src)
		text(x1+5, y+15, humanize(b.Value), color.Black)
	}
	if target > 0 {
		x := xOf(target)
		for y := top - 5; y < height-bottom+5; y++ {
			if (y/4)%2 == 0 {
				img.Set(x, y, barColours["target"])
				img.Set(x+1, y, barColours["target"])
			}
		}
		s := "target " + humanize(target)
		text(x-textW(s)/2, top-8, s, barColours["target"])
	}
	return png.Encode(w, img)
}

// humanize prints 1436 as "1.4k", 2300000 as "2.3M".
func humanize(v float64) string {
	switch {
	case v >= 1e6:
		return trim(v/1e6) + "M"
	case v >= 1e3:
		return trim(v/1e3) + "k"
	default:
		return trim(v)
	}
}

func trim(v float64) string {
	if v >= 100 || v == math.Trunc(v) {
		return formatFloat(v, 0)
	}
	return formatFloat(v, 1)
}

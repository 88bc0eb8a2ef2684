/**
 * The overview's charts (Chart.js, bundled; only the parts used are registered): tasks by state
 * over time, tokens and cost per bucket, step latency, and the success and edit-apply rates, the
 * figures `pyagent stats` prints, drawn from the server's /stats report.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js'

import type {FleetStats} from '../../../app/fleet-stats.js'

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip)

const COLOURS = {done: '#2e7d32', failed: '#c62828', cancelled: '#9e9e9e', interrupted: '#ef6c00', queued: '#6a1b9a', running: '#1565c0', tokens: '#546e7a', cost: '#f9a825'}

const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10)

function label(start: string, bucket: FleetStats['bucket']): string {
  const at = new Date(start)
  return bucket === 'hour' ? `${at.toLocaleDateString([], {day: 'numeric', month: 'short'})} ${at.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'})}` : at.toLocaleDateString()
}

type Config = ChartConfiguration<'bar' | 'line', (number | null)[], string>

function configs(stats: FleetStats): Record<string, Config> {
  const labels = stats.series.map((point) => label(point.start, stats.bucket))
  const pick = (value: (point: FleetStats['series'][number]) => number | null) => stats.series.map(value)
  const ended = (status: keyof typeof stats.series[number]['ended']) => ({
    type: 'bar' as const,
    label: status,
    data: pick((point) => point.ended[status]),
    backgroundColor: COLOURS[status],
    stack: 'ended',
  })
  const line = (name: string, data: (number | null)[], colour: string, yAxisID = 'y') => ({type: 'line' as const, label: name, data, borderColor: colour, backgroundColor: colour, yAxisID, spanGaps: true})
  const options = (extra: object = {}) => ({animation: false as const, maintainAspectRatio: false, interaction: {mode: 'index' as const, intersect: false}, ...extra})
  return {
    states: {
      type: 'bar',
      data: {labels, datasets: [ended('done'), ended('failed'), ended('cancelled'), ended('interrupted'), line('queued', pick((point) => point.queued), COLOURS.queued), line('running', pick((point) => point.running), COLOURS.running)]},
      options: options({scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, title: {display: true, text: 'tasks'}}}}),
    },
    usage: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {type: 'bar', label: 'tokens', data: pick((point) => point.figures.tokens), backgroundColor: COLOURS.tokens, yAxisID: 'y'},
          line('cost (USD)', pick((point) => point.figures.costUsd), COLOURS.cost, 'cost'),
        ],
      },
      options: options({scales: {y: {beginAtZero: true, title: {display: true, text: 'tokens'}}, cost: {position: 'right', beginAtZero: true, title: {display: true, text: 'USD'}, grid: {drawOnChartArea: false}}}}),
    },
    latency: {
      type: 'line',
      data: {labels, datasets: [line('median', pick((point) => point.stepMs && point.stepMs.p50 / 1000), COLOURS.running), line('95th percentile', pick((point) => point.stepMs && point.stepMs.p95 / 1000), COLOURS.failed)]},
      options: options({scales: {y: {beginAtZero: true, title: {display: true, text: 'seconds per step'}}}}),
    },
    rates: {
      type: 'line',
      data: {
        labels,
        datasets: [line('success rate', pick((point) => percent(point.figures.successRate)), COLOURS.done), line('edit-apply rate', pick((point) => percent(point.figures.editApplyRate)), COLOURS.tokens)],
      },
      options: options({scales: {y: {min: 0, max: 100, title: {display: true, text: '%'}}}}),
    },
  }
}

const drawn = new Map<string, Chart<'bar' | 'line', (number | null)[], string>>()

/** Draws each chart into its canvas (`chart-<name>`) the first time, and updates it in place after. */
export function drawCharts(stats: FleetStats): void {
  for (const [name, config] of Object.entries(configs(stats))) {
    const chart = drawn.get(name)
    if (chart) {
      chart.data = config.data
      chart.update()
      continue
    }
    const canvas = document.getElementById(`chart-${name}`) as HTMLCanvasElement | null
    if (canvas) drawn.set(name, new Chart(canvas, config))
  }
}
